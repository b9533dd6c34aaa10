using System.Reactive.Concurrency;
using Rx.Network.Identity;
using Rx.Network.Mock.Testing;
using Rx.Network.Mock.Time;

namespace Rx.Network.Mock;

/// <summary>
/// A network of peers in one process, joined by links with latency, jitter, bandwidth and faults,
/// on any <see cref="IScheduler"/>: with a <see cref="TestScheduler"/> everything (links, timeouts,
/// keep-alives, event time stamps) runs in virtual time, deterministically.
/// </summary>
/// <remarks>
/// <para>Every peer is a real <see cref="INetwork"/> made by <see cref="NetworkBuilder"/>: events,
/// <see cref="Connectedness"/>, the peer store, stream handlers and ping work as in production.
/// Only the transport is mock: a peer listens on <c>/memory/&lt;peer id&gt;</c>, and a dial succeeds
/// only across a link (<see cref="LinkPeers"/>); otherwise it is refused with a
/// <see cref="TransportException"/>, and the peer becomes <see cref="Connectedness.CannotConnect"/>.
/// Over the link, peers run the real upgrade (see <see cref="MockNetworkMode"/>).</para>
/// <para>Virtual time: the clock moves only when asked, through <see cref="AdvanceByAsync"/>,
/// <see cref="AdvanceToAsync"/> and <see cref="RunAsync{T}(Func{Task{T}}, TimeSpan?, CancellationToken)"/>,
/// which run scheduled work one item at a time and wait for the thread pool to go idle after each
/// (see <see cref="RunUntilIdleAsync"/>). The connect and disconnect helpers move it as far as they
/// need. Do not advance the <see cref="TestScheduler"/> directly while peers are busy, and do not
/// call these methods from inside work they drive (a stream handler): drives take turns.</para>
/// </remarks>
/// <example>
/// <code>
/// var scheduler = new TestScheduler();
/// await using var net = new MockNetwork(scheduler, seed: 1);
/// var a = net.GenPeer();
/// var b = net.GenPeer();
/// net.LinkPeers(a.LocalPeer, b.LocalPeer, new LinkOptions { Latency = TimeSpan.FromMilliseconds(50) });
/// await net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer);
/// var rtt = await net.RunAsync(() => PingService.PingAsync(a, b.LocalPeer, net.TimeProvider));
/// </code>
/// </example>
public sealed partial class MockNetwork : IAsyncDisposable
{
    private readonly object gate = new();
    private readonly List<MockPeer> peers = [];
    private readonly Dictionary<PeerId, MockPeer> peersById = [];
    private readonly VirtualTimeDriver driver;
    private readonly Random? keySource;
    private readonly int seed;
    private int nextPeerIndex;
    private int disposed;

    /// <summary>Creates an empty mock network.</summary>
    /// <param name="scheduler">
    /// The clock and timer queue of every peer and link: a <see cref="TestScheduler"/> for virtual
    /// time; default (null) <see cref="DefaultScheduler.Instance"/>, real time.
    /// </param>
    /// <param name="seed">Seeds generated keys and link jitter (see <see cref="MockNetworkOptions.Seed"/>); null for fresh randomness.</param>
    public MockNetwork(IScheduler? scheduler = null, int? seed = null)
        : this(scheduler, MockNetworkOptions.Default with { Seed = seed })
    {
    }

    /// <summary>Creates an empty mock network with options.</summary>
    /// <param name="scheduler">The clock and timer queue (see <see cref="MockNetwork(IScheduler?, int?)"/>); null for real time.</param>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public MockNetwork(IScheduler? scheduler, MockNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Scheduler = scheduler ?? DefaultScheduler.Instance;
        TimeProvider = new SchedulerTimeProvider(Scheduler);
        driver = new VirtualTimeDriver(Scheduler, options.WallClock, options.IdleTimeout);
        linkDefaults = options.DefaultLink;
        if (options.Seed is { } fixedSeed)
        {
            seed = fixedSeed;
            keySource = new Random(fixedSeed);
        }
        else
        {
            seed = Random.Shared.Next();
        }
    }

    /// <summary>The scheduler every peer and link runs on.</summary>
    public IScheduler Scheduler { get; }

    /// <summary>The peers' clock: <see cref="Scheduler"/> as a <see cref="System.TimeProvider"/>; pass it to clients that measure time (e.g. ping).</summary>
    public SchedulerTimeProvider TimeProvider { get; }

    /// <summary>The settings.</summary>
    public MockNetworkOptions Options { get; }

    /// <summary>Whether time is virtual (the scheduler is a <see cref="TestScheduler"/>).</summary>
    public bool IsVirtualTime => driver.IsVirtual;

    /// <summary>The current time on <see cref="Scheduler"/>.</summary>
    public DateTimeOffset Now => TimeProvider.GetUtcNow();

    /// <summary>The peers' ids, in the order they were added.</summary>
    public IReadOnlyList<PeerId> Peers
    {
        get
        {
            lock (gate)
            {
                return peers.Select(p => p.Id).ToArray();
            }
        }
    }

    /// <summary>The peers' networks, in the order they were added.</summary>
    public IReadOnlyList<INetwork> Networks
    {
        get
        {
            lock (gate)
            {
                return peers.Select(p => p.Network).ToArray();
            }
        }
    }

    /// <summary>The network of a peer.</summary>
    /// <param name="peer">The peer.</param>
    /// <returns>Its network.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="peer"/> is not a peer of this mock network.</exception>
    public INetwork GetNetwork(PeerId peer) => Find(peer, nameof(peer)).Network;

    /// <summary>Shuts every peer down: connections are cut at once (as if every link were removed), then each network is disposed.</summary>
    /// <returns>A task that completes when every peer has shut down.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        MockPeer[] all;
        MockLink[] cut;
        lock (gate)
        {
            all = [.. peers];
            cut = [.. links.Values];
            links.Clear();
        }

        foreach (var link in cut)
        {
            link.Remove();
        }

        try
        {
            var shutdowns = Task.WhenAll(all.Select(p => p.Network.DisposeAsync().AsTask()));
            if (driver.IsVirtual)
            {
                // Networks may still wait on timers (a close grace period): let virtual time run them.
                await driver.RunUntilAsync(() => shutdowns.IsCompleted, shutdowns, Options.OperationTimeout, CancellationToken.None).ConfigureAwait(false);
            }

            await shutdowns.ConfigureAwait(false);
        }
        finally
        {
            foreach (var peer in all.Where(p => p.OwnsKey))
            {
                peer.Key.Dispose();
            }

            driver.Dispose();
        }
    }

    private MockPeer Find(PeerId peer, string parameter)
    {
        ArgumentNullException.ThrowIfNull(peer, parameter);
        lock (gate)
        {
            return peersById.TryGetValue(peer, out var found)
                ? found
                : throw new ArgumentException($"Peer {peer} is not part of this mock network.", parameter);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) == 1, this);
}
