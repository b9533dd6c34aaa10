using Rx.Network.Identity;

namespace Rx.Network;

/// <summary>One row of <see cref="INetwork.PeerStatuses"/>: how a peer stands with this node.</summary>
/// <param name="Peer">The peer.</param>
/// <param name="Connectedness">How reachable it is.</param>
/// <param name="ConnectionCount">Open connections to it.</param>
/// <param name="Latency">The smoothed round-trip time, once measured.</param>
public sealed record PeerStatus(PeerId Peer, Connectedness Connectedness, int ConnectionCount, TimeSpan? Latency);
