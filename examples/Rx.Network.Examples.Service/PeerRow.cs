namespace Rx.Network.Examples.Service;

/// <summary>One row of <c>GET /peers</c>: a <see cref="PeerStatus"/> in JSON-friendly types.</summary>
/// <param name="Peer">The peer ID (base58).</param>
/// <param name="Connectedness">NotConnected, Connected, CanConnect or CannotConnect.</param>
/// <param name="Connections">Open connections to the peer.</param>
/// <param name="LatencyMs">The peer store's average round-trip time, while connected; null if none was measured.</param>
public sealed record PeerRow(string Peer, string Connectedness, int Connections, double? LatencyMs)
{
    /// <summary>The row of <paramref name="status"/>.</summary>
    /// <param name="status">A row of <see cref="INetwork.PeerStatuses"/>.</param>
    /// <returns>The JSON row.</returns>
    public static PeerRow From(PeerStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(status.Peer.ToString(), status.Connectedness.ToString(), status.ConnectionCount, status.Latency?.TotalMilliseconds);
    }
}
