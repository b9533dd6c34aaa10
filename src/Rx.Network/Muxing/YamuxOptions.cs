namespace Rx.Network.Muxing;

/// <summary>
/// Settings of a yamux session (<c>/yamux/1.0.0</c>). Every buffer and count the session keeps is
/// bounded by one of these; the defaults suit a libp2p host and interoperate with go-libp2p and
/// js-libp2p.
/// </summary>
/// <remarks>
/// Memory a session may hold for received data is bounded by
/// <see cref="MaxStreamWindow"/> × (<see cref="MaxInboundStreams"/> + <see cref="MaxOutboundStreams"/>)
/// in the worst case (every stream auto-tuned to the maximum with a reader that stopped); raise
/// these limits with that product in mind.
/// </remarks>
public sealed class YamuxOptions
{
    /// <summary>The defaults.</summary>
    public static YamuxOptions Default { get; } = new();

    /// <summary>
    /// Each stream's receive window at its start, in bytes. Default 256 KiB, the spec's initial
    /// window (a larger value is granted to the peer in the stream's SYN or ACK frame). At least
    /// 256 KiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 256 KiB.</exception>
    public int InitialStreamWindow
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, YamuxHeader.InitialWindow);
            field = value;
        }
    } = YamuxHeader.InitialWindow;

    /// <summary>
    /// The largest a stream's receive window grows to by auto-tuning, in bytes. Default 16 MiB (as
    /// go-yamux). Equal to <see cref="InitialStreamWindow"/> disables auto-tuning.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 256 KiB.</exception>
    public int MaxStreamWindow
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, YamuxHeader.InitialWindow);
            field = value;
        }
    } = 16 * 1024 * 1024;

    /// <summary>
    /// The default <see cref="MaxFrameSize"/>: 65,507 bytes, so that one data frame with its
    /// 12-byte header fills exactly one Noise transport message (at most 65,535 bytes including the
    /// 16-byte tag, libp2p noise spec "Wire Format"). js-libp2p's yamux sends frames of up to its
    /// send window, so large frames are nothing new on the wire.
    /// </summary>
    public const int DefaultMaxFrameSize = 65535 - 16 - YamuxHeader.Size;

    /// <summary>
    /// The most payload bytes in one data frame we send. Default <see cref="DefaultMaxFrameSize"/>
    /// (65,507): a 64 KiB write becomes one frame in one Noise message, which halves the per-byte
    /// allocations and per-frame CPU of 16 KiB frames (docs/benchmarks.md); the cost is coarser
    /// interleaving between streams of one connection (≈ 50 µs of wire time per frame at 1.3 GB/s).
    /// Between 1 byte and 1 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 byte..1 MiB.</exception>
    public int MaxFrameSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1024 * 1024);
            field = value;
        }
    } = DefaultMaxFrameSize;

    /// <summary>
    /// The most streams the peer may have open to us at once (accepted or waiting to be). Default
    /// 1024 (as js-libp2p). A stream opened beyond it is reset at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxInboundStreams
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 1024;

    /// <summary>
    /// The most streams we may have open to the peer at once. Default 1024 (as js-libp2p).
    /// Opening one more fails with <see cref="StreamLimitExceededException"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxOutboundStreams
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 1024;

    /// <summary>
    /// The most inbound streams waiting for the application to accept them. Default 256 (spec
    /// "ACK backlog": implementations should buffer at least 256). A stream arriving when the
    /// backlog is full is reset at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int AcceptBacklog
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 256;

    /// <summary>
    /// The most streams we open that the peer has not acknowledged yet. Default 256 (spec "ACK
    /// backlog": at most 256). Opening another waits, in order, until an acknowledgement (or a
    /// reset or close of a waiting stream) frees a place; the wait is cancellable.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxAckBacklog
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 256;

    /// <summary>
    /// The ACK backlog before the peer has acknowledged any stream of ours: a slow start. Default
    /// 8. Once the first acknowledgement arrives, the backlog grows to <see cref="MaxAckBacklog"/>.
    /// </summary>
    /// <remarks>
    /// A peer whose application has not yet attached to a brand-new connection cannot accept
    /// streams, and js-libp2p aborts the whole connection when more than 10 streams arrive in that
    /// window (<c>MaxEarlyStreamsError</c>). Its acknowledgement of our first stream shows it is
    /// ready; until then we keep at most this many streams unacknowledged.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int InitialAckBacklog
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 8;

    /// <summary>
    /// How often to ping the peer to keep the connection alive and the round-trip estimate fresh;
    /// <see langword="null"/> disables it. Default 30 s (as go-yamux). A ping unanswered within
    /// <see cref="PingTimeout"/> ends the session.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative.</exception>
    public TimeSpan? KeepAliveInterval
    {
        get;
        init
        {
            if (value is { } interval)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(value));
            }

            field = value;
        }
    } = TimeSpan.FromSeconds(30);

    /// <summary>How long a keep-alive ping may go unanswered. Default 10 s (go-yamux's write timeout).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative.</exception>
    public TimeSpan PingTimeout
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether to ping once when the session starts, to measure the round trip that receive-window
    /// auto-tuning needs (js-libp2p does the same). Default <see langword="true"/>.
    /// </summary>
    public bool PingOnStart { get; init; } = true;

    /// <summary>
    /// How long a graceful close waits for open streams to finish, and then for the peer to close
    /// its side, before resetting what is left and dropping the connection. Default 5 s. It also
    /// bounds a stream's own close: a FIN that cannot be handed to the connection within it (the
    /// peer stopped reading) resets the stream.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan CloseTimeout
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(5);

    /// <summary>Checks the settings that depend on each other.</summary>
    /// <exception cref="ArgumentException"><see cref="MaxStreamWindow"/> is below <see cref="InitialStreamWindow"/>.</exception>
    internal void Validate()
    {
        if (MaxStreamWindow < InitialStreamWindow)
        {
            throw new ArgumentException(
                $"{nameof(MaxStreamWindow)} ({MaxStreamWindow}) is below {nameof(InitialStreamWindow)} ({InitialStreamWindow}).");
        }
    }
}
