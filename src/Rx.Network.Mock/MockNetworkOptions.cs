using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Rx.Network.Resources;

namespace Rx.Network.Mock;

/// <summary>Settings of a <see cref="MockNetwork"/>.</summary>
public sealed record MockNetworkOptions
{
    /// <summary>The defaults.</summary>
    public static MockNetworkOptions Default { get; } = new();

    /// <summary>
    /// Seed for peer keys and link jitter; with a seed, the same test gives the same keys, peer IDs,
    /// jitter and (in virtual time) the same event log on every run. Null: random keys and jitter.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>
    /// Each peer's resource limits (<see cref="INetwork.Resources"/>): in fast mode connections,
    /// streams (with their receive window, <see cref="StreamWindow"/>) and per-protocol limits are
    /// counted and enforced as on a real node. Default <see cref="ResourceLimits.Default"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public ResourceLimits Resources
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = ResourceLimits.Default;

    /// <summary>What the links carry; default <see cref="MockNetworkMode.Fast"/>.</summary>
    public MockNetworkMode Mode { get; init; } = MockNetworkMode.Fast;

    /// <summary>Options of links made without explicit options (also settable later with <see cref="MockNetwork.SetLinkDefaults"/>).</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public LinkOptions DefaultLink
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = LinkOptions.Default;

    /// <summary>Each stream direction's receive window in bytes (the yamux default, 256 KiB): how much a writer may have unread at the reader.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 KiB.</exception>
    public int StreamWindow
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1024);
            field = value;
        }
    } = 256 * 1024;

    /// <summary>The largest data frame a stream puts on a link (64 KiB): the granularity of bandwidth and arrival.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public int ChunkSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 64 * 1024;

    /// <summary>
    /// Events each subscriber of a peer's <see cref="INetwork.Events"/> may have queued; one that
    /// falls further behind is ended with <see cref="EventOverflowException"/>, exactly as on a
    /// built network (<see cref="NetworkOptions.EventQueueCapacity"/>). Default 10,000, as there.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int EventQueueCapacity
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = new NetworkOptions().EventQueueCapacity;

    /// <summary>Whether every peer serves ping (<c>/ipfs/ping/1.0.0</c>); default true.</summary>
    public bool Ping { get; init; } = true;

    /// <summary>Identify options for every peer (identify runs on every new connection); null turns identify off. Default <see cref="IdentifyOptions.Default"/>.</summary>
    public IdentifyOptions? Identify { get; init; } = IdentifyOptions.Default;

    /// <summary>Options of each peer's peerstore; null for the defaults.</summary>
    public PeerstoreOptions? Peerstore { get; init; }

    /// <summary>
    /// The most virtual time <see cref="MockNetwork.RunAsync{T}(Func{Task{T}}, TimeSpan?, CancellationToken)"/>
    /// lets an operation take (real time on a real-time scheduler); default 10 minutes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan OperationTimeout
    {
        get;
        init
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive, or Timeout.InfiniteTimeSpan.");
            }

            field = value;
        }
    } = TimeSpan.FromMinutes(10);

    /// <summary>In <see cref="MockNetworkMode.RealStack"/> mode, edits each peer's builder (security, limits, services).</summary>
    public Action<NetworkBuilder>? ConfigurePeer { get; init; }
}
