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

    /// <summary>
    /// New inbound connections accepted per second from one source (an IPv4 address, or an IPv6
    /// /64 prefix), after a first <see cref="InboundPerIpBurst"/>; 0 turns the limit off. Excess
    /// connections are closed at once, before their handshake, and reported as
    /// <see cref="InboundRefused"/>. Default 64 per second.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int InboundPerIpPerSecond
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 64;

    /// <summary>
    /// Inbound connections one source may open at once before <see cref="InboundPerIpPerSecond"/>
    /// paces it (the token bucket's size). Default 256.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int InboundPerIpBurst
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 256;
}
