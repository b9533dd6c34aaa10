using Rx.Network.Identity;

namespace Rx.Network.Swarm;

/// <summary>
/// What services need from a network beyond <see cref="INetwork"/>: its key and its protocol
/// table. The swarm implements it, and so do the mock network's peers.
/// </summary>
internal interface ILocalHost
{
    /// <summary>The local identity.</summary>
    PrivateKey Identity { get; }

    /// <summary>The local protocol table (handlers and <c>Streams(protocol)</c> subscriptions).</summary>
    ProtocolRouter Router { get; }
}
