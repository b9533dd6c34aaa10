using Rx.Network.Identity;

namespace Rx.Network.Mock.Peers;

/// <summary>Short peer names for messages and ids.</summary>
internal static class PeerIdText
{
    /// <summary>The last six characters of the peer ID, as libp2p tools print them.</summary>
    public static string Short(this PeerId peer)
    {
        string text = peer.ToString();
        return text.Length <= 6 ? text : text[^6..];
    }
}
