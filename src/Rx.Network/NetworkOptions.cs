using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rx.Network.Resources;
using Rx.Network.Swarm;

namespace Rx.Network;

/// <summary>Settings of a network, with safe defaults. Build one with <see cref="NetworkBuilder"/>.</summary>
public sealed record NetworkOptions
{
    /// <summary>The defaults.</summary>
    public static NetworkOptions Default { get; } = new();

    /// <summary>The clock for every timeout, backoff and lifetime; inject a virtual one in tests. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the network logs. Default: nowhere.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Connection limits.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>
    /// The resource manager's limits: memory, streams and connections per scope (system,
    /// transient, address, peer, connection, protocol, stream). Default <see cref="ResourceLimits.Default"/>.
    /// </summary>
    public ResourceLimits Resources { get; init; } = ResourceLimits.Default;

    /// <summary>How peers are dialed.</summary>
    public DialOptions Dial { get; init; } = DialOptions.Default;

    /// <summary>Bounds on upgrading raw connections.</summary>
    public UpgradeOptions Upgrade { get; init; } = UpgradeOptions.Default;

    /// <summary>How long an inbound stream may take to name its protocol before it is reset. Default 10 s.</summary>
    public TimeSpan StreamNegotiationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="IAsyncDisposable.DisposeAsync"/> lets open streams finish before aborting them. Default 5 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Events each <see cref="INetwork.Events"/> subscriber (and each <see cref="IDialer.Notify"/>
    /// notifiee) may fall behind before its subscription is ended with
    /// <see cref="EventOverflowException"/>; a notifiee's end is also logged and published as
    /// <see cref="NotifieeOverflowed"/>. Default 10,000.
    /// </summary>
    public int EventQueueCapacity { get; init; } = 10_000;

    /// <summary>
    /// Rows of <see cref="INetwork.PeerStatuses"/> kept for peers with no open connection
    /// (<see cref="Connectedness.CanConnect"/>, <see cref="Connectedness.CannotConnect"/>,
    /// <see cref="Connectedness.NotConnected"/>); past it, the row that has been without a
    /// connection longest is removed, so dialing many unreachable peers cannot grow the table
    /// without bound. Rows of connected peers are never removed. Default 1,024.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxNotConnectedPeerStatuses
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 1024;
}
