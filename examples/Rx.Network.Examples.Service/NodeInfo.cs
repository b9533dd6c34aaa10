namespace Rx.Network.Examples.Service;

/// <summary><c>GET /node</c>: who the hosted node is and where it listens.</summary>
/// <param name="PeerId">The node's peer ID (base58).</param>
/// <param name="Addresses">Its listen addresses, each ending in <c>/p2p/</c> and the peer ID, ready to dial.</param>
public sealed record NodeInfo(string PeerId, IReadOnlyList<string> Addresses);
