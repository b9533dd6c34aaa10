namespace Rx.Network.Swarm;

/// <summary>Limits on connections. Each has a safe default; exceeding one is a typed error, never a crash.</summary>
public sealed record ConnectionLimits
{
    /// <summary>The defaults.</summary>
    public static ConnectionLimits Default { get; } = new();

    /// <summary>
    /// Established inbound connections at most; further inbound connections are closed at once,
    /// before their handshake, so the dialer's dial fails. Default 512.
    /// </summary>
    public int MaxInbound { get; init; } = 512;

    /// <summary>
    /// Established outbound connections at most; dials beyond it fail, without touching the network
    /// or backing off the peer, with a <see cref="DialException"/> whose inner exception is a
    /// <see cref="ConnectionLimitExceededException"/>. Default 512.
    /// </summary>
    public int MaxOutbound { get; init; } = 512;

    /// <summary>Connections to one peer at most; a further one is closed after its upgrade. Default 8.</summary>
    public int MaxPerPeer { get; init; } = 8;

    /// <summary>Inbound connections still in their upgrade at once; more are closed at once. Default 64.</summary>
    public int MaxPendingInbound { get; init; } = 64;
}
