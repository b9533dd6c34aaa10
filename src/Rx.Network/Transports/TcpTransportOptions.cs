using System.Net;
using System.Net.Sockets;

namespace Rx.Network.Transports;

/// <summary>Settings of the TCP transport: timeouts, listen backlog and the bounds of each connection's buffers.</summary>
/// <remarks>
/// Immutable once built (<c>init</c> properties). Every buffer is bounded; raising a bound trades
/// memory per connection for throughput, and there is deliberately no "unbounded" setting: a peer
/// that sends faster than we read would otherwise grow our memory without limit.
/// </remarks>
public sealed class TcpTransportOptions
{
    /// <summary>The default of <see cref="ConnectTimeout"/>: 5 seconds (go-libp2p's TCP transport default).</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The default of <see cref="ListenBacklog"/>: 128 pending connections.</summary>
    public const int DefaultListenBacklog = 128;

    /// <summary>The default of <see cref="MaxReceiveBufferSize"/> and <see cref="MaxSendBufferSize"/>: 1 MiB.</summary>
    public const int DefaultMaxBufferSize = 1024 * 1024;

    /// <summary>The smallest accepted buffer bound: 16 KiB, one receive segment.</summary>
    public const int MinBufferSize = 16 * 1024;

    /// <summary>The default of <see cref="UnsentLowWatermark"/>: 64 KiB, one send of the connection's send pump.</summary>
    public const int DefaultUnsentLowWatermark = 64 * 1024;

    /// <summary>The default of <see cref="ShortPathReceiveBufferSize"/>: 256 KiB.</summary>
    public const int DefaultShortPathReceiveBufferSize = 256 * 1024;

    private readonly int unsentLowWatermark = DefaultUnsentLowWatermark;
    private readonly int shortPathReceiveBufferSize = DefaultShortPathReceiveBufferSize;
    private readonly TimeSpan connectTimeout = DefaultConnectTimeout;
    private readonly TimeProvider timeProvider = TimeProvider.System;
    private readonly int listenBacklog = DefaultListenBacklog;
    private readonly int maxReceiveBufferSize = DefaultMaxBufferSize;
    private readonly int maxSendBufferSize = DefaultMaxBufferSize;
    private readonly Func<string, AddressFamily, CancellationToken, Task<IPAddress[]>> resolver = Dns.GetHostAddressesAsync;

    /// <summary>The options used when none are given.</summary>
    public static TcpTransportOptions Default { get; } = new();

    /// <summary>
    /// How long one dial may take, DNS resolution included, measured on <see cref="TimeProvider"/>.
    /// Default <see cref="DefaultConnectTimeout"/>; <see cref="Timeout.InfiniteTimeSpan"/> leaves only
    /// the caller's cancellation token and the operating system's own connect timeout.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither positive nor infinite.</exception>
    public TimeSpan ConnectTimeout
    {
        get => connectTimeout;
        init
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The connect timeout must be positive or infinite.");
            }

            connectTimeout = value;
        }
    }

    /// <summary>The clock that measures <see cref="ConnectTimeout"/>. Default <see cref="TimeProvider.System"/>.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public TimeProvider TimeProvider
    {
        get => timeProvider;
        init => timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// How many connections the operating system queues for a listener before we accept them.
    /// Default <see cref="DefaultListenBacklog"/>; beyond it, new connection attempts are dropped
    /// or refused by the operating system.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int ListenBacklog
    {
        get => listenBacklog;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            listenBacklog = value;
        }
    }

    /// <summary>
    /// The most received bytes a connection buffers before it stops reading the socket (TCP flow
    /// control then slows the sender); reading resumes when the buffer drains to half. Default
    /// <see cref="DefaultMaxBufferSize"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below <see cref="MinBufferSize"/>.</exception>
    public int MaxReceiveBufferSize
    {
        get => maxReceiveBufferSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, MinBufferSize);
            maxReceiveBufferSize = value;
        }
    }

    /// <summary>
    /// The most bytes a connection queues for sending before a writer's flush waits; it resumes
    /// when the queue drains to half. Default <see cref="DefaultMaxBufferSize"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below <see cref="MinBufferSize"/>.</exception>
    public int MaxSendBufferSize
    {
        get => maxSendBufferSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, MinBufferSize);
            maxSendBufferSize = value;
        }
    }

    /// <summary>
    /// The most bytes the operating system holds unsent for a connection (<c>TCP_NOTSENT_LOWAT</c>, on
    /// Linux and macOS; elsewhere ignored). Bytes beyond it stay in the connection's own queues, where
    /// the muxer can still send a small frame (a ping, a request) ahead of a bulk stream's, instead of
    /// behind up to 4 MiB in the kernel. It does not limit bytes in flight, so long paths keep their
    /// throughput. Default <see cref="DefaultUnsentLowWatermark"/>; 0 leaves the kernel's default
    /// (no limit).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int UnsentLowWatermark
    {
        get => unsentLowWatermark;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            unsentLowWatermark = value;
        }
    }

    /// <summary>
    /// The fixed size of the operating system's receive buffer on a short path (Linux; elsewhere
    /// ignored): when the round trip the kernel measured while connecting is so short that this many
    /// bytes cover a 10 Gbit/s path's bandwidth-delay product (256 KiB: round trips up to about
    /// 210 µs, i.e. loopback and the same host), the buffer is fixed at this size instead of
    /// auto-tuned. On such a path auto-tuning only grows a queue of bulk bytes (measured: 5 MB)
    /// before a busy receiver, which every other stream of the connection then waits behind; longer
    /// paths keep auto-tuning. Default <see cref="DefaultShortPathReceiveBufferSize"/>; 0 always
    /// leaves the kernel's auto-tuning.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither 0 nor at least <see cref="MinBufferSize"/>.</exception>
    public int ShortPathReceiveBufferSize
    {
        get => shortPathReceiveBufferSize;
        init
        {
            if (value != 0)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(value, MinBufferSize);
            }

            shortPathReceiveBufferSize = value;
        }
    }

    /// <summary>Resolves <c>/dns*</c> host names; <see cref="Dns.GetHostAddressesAsync(string, AddressFamily, CancellationToken)"/> unless a test replaces it.</summary>
    internal Func<string, AddressFamily, CancellationToken, Task<IPAddress[]>> Resolver
    {
        get => resolver;
        init => resolver = value ?? throw new ArgumentNullException(nameof(value));
    }
}
