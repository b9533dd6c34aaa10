namespace Rx.Network.Mock;

/// <summary>
/// How a <see cref="MockLink"/> carries bytes between two mock peers: latency, jitter, bandwidth,
/// and whether it is down. The same settings apply to both directions; each direction keeps its
/// own clock (a busy upload does not slow the download).
/// </summary>
/// <remarks>
/// <para>A chunk written at time <c>t</c> leaves when the direction is free (a link is busy for
/// <c>size / Bandwidth</c> per chunk, one chunk after another), then arrives
/// <see cref="Latency"/> plus a random share of <see cref="Jitter"/> later. Arrivals never overtake
/// each other: a link is an ordered byte pipe, like a TCP connection.</para>
/// <para>Changing a link's options affects bytes sent afterwards; bytes already in flight keep their
/// arrival time.</para>
/// </remarks>
public sealed record LinkOptions
{
    /// <summary>No latency, no jitter, unlimited bandwidth, up.</summary>
    public static LinkOptions Default { get; } = new();

    /// <summary>One-way delay of every chunk (half the round trip). Default zero.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan Latency
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    }

    /// <summary>
    /// The most extra delay a chunk may get on top of <see cref="Latency"/>, drawn uniformly per
    /// chunk from the mock network's seeded random source (so a seed replays the same delays).
    /// Default zero.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan Jitter
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    }

    /// <summary>
    /// Bytes per second each direction carries, or <see langword="null"/> (the default) for no limit.
    /// At 1,000,000, a megabyte takes one second to send.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative.</exception>
    public long? Bandwidth
    {
        get;
        init
        {
            if (value is { } bytesPerSecond)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bytesPerSecond, 0L, nameof(value));
            }

            field = value;
        }
    }

    /// <summary>
    /// Whether the link is down: the fault switch. Taking a link down fails every connection over
    /// it at both ends at once: reads, writes and <c>Completion</c> fail with a
    /// <see cref="MockLinkException"/> (a <see cref="TransportException"/>), <c>Disconnected</c>
    /// fires with that error and <c>Connectedness</c> becomes <c>NotConnected</c>. While it is
    /// down, dials over it fail (<see cref="DialException"/>). Bringing it up again lets new
    /// connections through; bytes of the failed connections are not held back or replayed (the
    /// model is a hard fault, not a TCP retransmission window). Default <see langword="false"/>.
    /// </summary>
    public bool Down { get; init; }
}
