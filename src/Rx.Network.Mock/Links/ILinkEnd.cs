using Rx.Network.Identity;

namespace Rx.Network.Mock.Links;

/// <summary>A peer as a link sees it: fast-mode peers and real-stack peers alike.</summary>
internal interface ILinkEnd
{
    /// <summary>Order of creation in the mock network.</summary>
    int Index { get; }

    /// <summary>The peer's ID.</summary>
    PeerId LocalPeer { get; }

    /// <summary>The peer as users see it.</summary>
    INetwork Peer { get; }

    /// <summary>Fails every connection this peer has over <paramref name="link"/>.</summary>
    void Cut(MockLink link, Exception reason);
}
