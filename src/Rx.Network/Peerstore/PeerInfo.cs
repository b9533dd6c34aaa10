using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Peerstore;

/// <summary>Everything the peer store knows about one peer, as an immutable snapshot.</summary>
/// <param name="Peer">The peer.</param>
/// <param name="Addresses">Its unexpired addresses, most recently added last.</param>
/// <param name="PublicKey">Its identity key, once learned (always checked against <paramref name="Peer"/>).</param>
/// <param name="Protocols">The protocols it said it supports (identify).</param>
/// <param name="AgentVersion">Its agent version string (identify).</param>
/// <param name="ProtocolVersion">Its protocol version string (identify).</param>
/// <param name="Latency">The exponentially weighted moving average of its round-trip times.</param>
public sealed record PeerInfo(
    PeerId Peer,
    IReadOnlyList<Multiaddr> Addresses,
    PublicKey? PublicKey,
    IReadOnlyList<string> Protocols,
    string? AgentVersion,
    string? ProtocolVersion,
    TimeSpan? Latency);
