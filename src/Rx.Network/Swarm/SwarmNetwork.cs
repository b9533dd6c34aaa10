using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Microsoft.Extensions.Logging;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Negotiation;
using Rx.Network.Peerstore;
using Rx.Network.Reactive;
using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Swarm;

/// <summary>
/// The <see cref="INetwork"/> implementation (the seed's swarm): listeners, a pool of connections
/// per peer, dialing with shared attempts and backoff, protocol routing, events and the peer
/// status cache. The network is the composition: <see cref="SwarmListeners"/> accept,
/// <see cref="SwarmDialer"/> dials, the <see cref="ConnectionRegistry"/> holds the connections and
/// the peers' status rows; the network admits each upgraded connection
/// (<see cref="AddConnection"/>), dispatches inbound streams to their handlers (<c>.Streams</c>)
/// and shuts everything down (<c>.Lifecycle</c>).
/// </summary>
internal sealed partial class SwarmNetwork : INetwork, IConnectionHost
{
    private readonly PrivateKey identity;
    private readonly IReadOnlyList<ITransport> transports;
    private readonly Upgrader upgrader;
    private readonly NetworkOptions options;
    private readonly ILogger logger;
    private readonly EventHub events;
    private readonly CancellationTokenSource shutdown = new();
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool ownsPeerstore;
    private readonly ResourceManager resources;
    private readonly NetworkScheduler scheduler;
    private readonly ConnectionRegistry registry;
    private readonly SwarmDialer dialer;
    private readonly SwarmListeners listeners;
    private long connectionCounter;

    public SwarmNetwork(PrivateKey identity, IReadOnlyList<ITransport> transports, Upgrader upgrader, IPeerstore peerstore, bool ownsPeerstore, NetworkOptions options, NetworkScheduler scheduler)
    {
        this.identity = identity;
        this.transports = transports;
        this.upgrader = upgrader;
        this.options = options;
        this.scheduler = scheduler;
        LocalPeer = PeerId.FromPublicKey(identity.PublicKey);
        logger = options.LoggerFactory.CreateLogger("Rx.Network.Swarm");
        events = new EventHub(options.EventQueueCapacity, logger, scheduler.Tasks);
        this.ownsPeerstore = ownsPeerstore;
        Peerstore = peerstore;
        Peerstore.AddPublicKey(LocalPeer, identity.PublicKey);
        NewConnections = events.OfType<Connected>().Select(e => e.Connection);
        registry = new ConnectionRegistry(options, events, Peerstore, scheduler, shutdown.Token);
        resources = new ResourceManager(options.Resources, options.TimeProvider) { Refused = OnResourceRefused };
        dialer = new SwarmDialer(this, registry, Peerstore, transports, upgrader, resources, scheduler, options, logger, shutdown.Token);
        listeners = new SwarmListeners(this, registry, transports, upgrader, resources, events, options, logger, shutdown.Token);
    }

    /// <inheritdoc/>
    public PeerId LocalPeer { get; }

    /// <inheritdoc/>
    public IPeerstore Peerstore { get; }

    /// <inheritdoc/>
    public IObservable<NetworkEvent> Events => events;

    /// <inheritdoc/>
    public IObservable<IConnection> NewConnections { get; }

    /// <inheritdoc/>
    public IObservableCache<PeerId, PeerStatus> PeerStatuses => registry.PeerStatuses;

    /// <inheritdoc/>
    public Task Completion => completion.Task;

    /// <inheritdoc/>
    public IResourceManager Resources => resources;

    /// <summary>Our identity key (for services that sign, like identify's signed records).</summary>
    public PrivateKey Identity => identity;

    /// <summary>The local protocol table (handlers and <c>Streams(protocol)</c> subscriptions).</summary>
    public ProtocolRouter Router { get; } = new();

    /// <inheritdoc/>
    public MultistreamOptions Multistream => options.Upgrade.Multistream;

    /// <inheritdoc/>
    public TimeSpan StreamNegotiationTimeout => options.StreamNegotiationTimeout;

    /// <inheritdoc/>
    public TimeProvider Time => options.TimeProvider;

    /// <inheritdoc/>
    TaskScheduler IConnectionHost.Tasks => scheduler.Tasks;

    /// <inheritdoc/>
    public TimeProvider TimeProvider => options.TimeProvider;

    /// <inheritdoc/>
    public IScheduler Scheduler => scheduler;

    /// <inheritdoc/>
    public NetworkMetrics Metrics { get; } = NetworkMetrics.Shared;

    /// <inheritdoc/>
    public ILogger Logger => logger;

    /// <inheritdoc/>
    public IReadOnlyList<PeerId> Peers => registry.Peers;

    /// <inheritdoc/>
    public IReadOnlyList<IConnection> Connections => registry.Connections;

    /// <inheritdoc/>
    public IReadOnlyList<Multiaddr> ListenAddresses => listeners.Addresses;

    /// <inheritdoc/>
    public IReadOnlyList<IConnection> ConnectionsToPeer(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return registry.ConnectionsToPeer(peer);
    }

    /// <inheritdoc/>
    public Connectedness Connectedness(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return registry.Connectedness(peer);
    }

    /// <inheritdoc/>
    public async Task ClosePeerAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        await Task.WhenAll(ConnectionsToPeer(peer).Select(c => c.CloseAsync(cancellationToken))).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task ListenAsync(IEnumerable<Multiaddr> addresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ThrowIfDisposed();
        return listeners.ListenAsync(addresses, cancellationToken);
    }

    /// <inheritdoc/>
    public IReadOnlyList<Multiaddr> InterfaceListenAddresses() => listeners.InterfaceAddresses();

    /// <inheritdoc/>
    public Task<IConnection> DialPeerAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer == LocalPeer)
        {
            throw new ArgumentException("A node cannot dial itself.", nameof(peer));
        }

        ThrowIfDisposed();
        return dialer.DialAsync(peer, cancellationToken);
    }

    /// <inheritdoc/>
    public void OnConnectionClosed(SwarmConnection connection, Exception? error)
    {
        if (!registry.Remove(connection, error))
        {
            return;
        }

        Metrics.ConnectionClosed(connection.Direction);
        if (error is not null)
        {
            logger.ConnectionFailed(error, connection);
        }
    }

    /// <summary>
    /// Admits an upgraded connection (dialed or accepted): checks the limits, records it, moves the
    /// peer to <see cref="Network.Connectedness.Connected"/>, publishes <see cref="Connected"/>, and
    /// only then starts accepting its streams (so <see cref="Connected"/> precedes its
    /// <see cref="StreamOpened"/>s).
    /// </summary>
    /// <exception cref="ConnectionLimitExceededException">A limit was reached; the connection was closed.</exception>
    internal SwarmConnection AddConnection(UpgradedConnection upgraded)
    {
        var connection = new SwarmConnection(upgraded, this, NextConnectionId(), Now);
        var peer = connection.RemotePeer;
        registry.Admit(connection);
        Metrics.ConnectionOpened(connection.Direction);
        dialer.ClearBackoff(peer);
        Peerstore.AddPublicKey(peer, connection.RemotePublicKey);
        Peerstore.AddAddresses(peer, [connection.RemoteAddress], AddressTtl.Connected);
        connection.Start();
        InvokeConnectionHandler(connection);
        return connection;
    }

    /// <inheritdoc/>
    public IDisposable Notify(INotifiee notifiee)
    {
        ArgumentNullException.ThrowIfNull(notifiee);
        return events.Subscribe(new NotifieeObserver(this, notifiee), error => OnNotifieeOverflowed(notifiee, error));
    }

    private DateTimeOffset Now => options.TimeProvider.GetUtcNow();

    /// <summary>
    /// A notifiee's registration ended because it fell too far behind: logged and published at
    /// once (the notifiee itself may be stuck and never see its queue drain).
    /// </summary>
    private void OnNotifieeOverflowed(INotifiee notifiee, EventOverflowException error)
    {
        logger.NotifieeOverflowed(error, notifiee.GetType().FullName ?? notifiee.GetType().Name, error.Capacity);
        events.Publish(new NotifieeOverflowed(Now, notifiee, error));
    }

    /// <summary>A (coalesced) refusal of the resource manager becomes an event.</summary>
    private void OnResourceRefused(ResourceRefusal refusal)
    {
        var error = refusal.Error;
        events.Publish(new ResourceLimitReached(
            Now, error.Scope ?? string.Empty, error.Kind, error.Resource, error.Requested, error.Limit,
            refusal.Peer, refusal.Address, refusal.Protocol, refusal.Count));
    }

    private string NextConnectionId() => $"c{Interlocked.Increment(ref connectionCounter)}";

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(shutdown.IsCancellationRequested, this);
}
