using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Protocols;

/// <summary>
/// What a peer told us about itself through identify (<c>/ipfs/id/1.0.0</c>) or an identify push
/// (<c>/ipfs/id/push/1.0.0</c>), after validation. By the time it is published, the peer store has
/// been updated with it.
/// </summary>
/// <param name="Peer">The peer, authenticated by the connection's security handshake.</param>
/// <param name="Connection">The connection it was learned on.</param>
/// <param name="IsPush">Whether the peer pushed it (a push may be partial: absent fields are empty or null).</param>
/// <param name="PublicKey">Its identity key, when sent (always checked to match <paramref name="Peer"/>).</param>
/// <param name="ProtocolVersion">Its protocol family, e.g. <c>ipfs/0.1.0</c>, when sent.</param>
/// <param name="AgentVersion">Its implementation, e.g. <c>js-libp2p/3.3.11</c>, when sent.</param>
/// <param name="ListenAddresses">The addresses it says it listens on (unparsable ones are skipped).</param>
/// <param name="ObservedAddress">Our address as the peer sees it, when sent.</param>
/// <param name="Protocols">The protocols it serves.</param>
public sealed record IdentifyResult(
    PeerId Peer,
    IConnection Connection,
    bool IsPush,
    PublicKey? PublicKey,
    string? ProtocolVersion,
    string? AgentVersion,
    IReadOnlyList<Multiaddr> ListenAddresses,
    Multiaddr? ObservedAddress,
    IReadOnlyList<string> Protocols);
