namespace Rx.Network.Resources;

/// <summary>The limits of one protocol: over all peers together, and with each peer.</summary>
/// <param name="Total">The protocol scope's limits (all peers).</param>
/// <param name="PerPeer">The protocol-per-peer scope's limits (each peer).</param>
public sealed record ProtocolLimits(ScopeLimits Total, ScopeLimits PerPeer)
{
    /// <summary>Limits of a protocol with at most <paramref name="inboundPerPeer"/> inbound streams per peer at once, and nothing else.</summary>
    /// <param name="inboundPerPeer">Inbound streams per peer.</param>
    /// <returns>The limits.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inboundPerPeer"/> is negative.</exception>
    public static ProtocolLimits InboundPerPeer(int inboundPerPeer) =>
        new(ScopeLimits.Unlimited, new ScopeLimits { InboundStreams = inboundPerPeer });
}
