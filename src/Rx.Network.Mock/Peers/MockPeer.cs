using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Mock.Links;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Rx.Network.Reactive;
using Rx.Network.Resources;
using Rx.Network.Swarm;

namespace Rx.Network.Mock.Peers;

/// <summary>
/// A peer of the mock network in <see cref="MockNetworkMode.Fast"/> mode: a complete
/// <see cref="INetwork"/> — events, Connectedness, peerstore, stream handlers, ping and identify —
/// whose connections are <see cref="MockConnection"/>s over <see cref="MockLink"/>s.
/// </summary>
internal sealed partial class MockPeer : INetwork, ILinkEnd
{
    private readonly Lock gate = new();
    private readonly List<Multiaddr> listenAddresses = [];
    private readonly ObservableCache<PeerId, PeerStatus> statuses = new(status => status.Peer);
    private readonly MockEventHub events;
    private readonly MemoryPeerstore peerstore;
    private readonly List<IDisposable> services = [];
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ResourceManager resources;
    private readonly HandlerSlot<Action<IConnection, CancellationToken>> connectionHandler = new();
    private readonly CancellationTokenSource shutdown = new();
    private bool disposed;

    public MockPeer(MockNetwork network, int index, PrivateKey key, bool ownsKey)
    {
        Network = network;
        Index = index;
        LocalPublicKey = key.PublicKey;
        LocalPeer = PeerId.FromPublicKey(key.PublicKey);

        // A fast-mode peer never signs (the mock models the secure channel; it runs no handshake),
        // so it keeps only the public half. A key it owns is disposed at once: each holds guarded
        // native memory (its own mappings, several per key), and a simulation of tens of thousands
        // of peers would otherwise run into the kernel's limit on mappings per process.
        if (ownsKey)
        {
            key.Dispose();
        }

        Address = Multiaddr.Parse($"/memory/{LocalPeer}");
        events = new MockEventHub(network.Work, network.Options.EventQueueCapacity);
        NewConnections = events.OfType<Connected>().Select(e => e.Connection);
        peerstore = new MemoryPeerstore(network.TimeProvider, network.Options.Peerstore);
        peerstore.AddPublicKey(LocalPeer, LocalPublicKey);
        // No refresh timer (it would keep virtual time busy forever): the mock publishes the scopes
        // itself whenever a connection or stream starts or ends.
        resources = new ResourceManager(network.Options.Resources, network.TimeProvider, publishPeriodically: false)
        {
            Refused = refusal => events.Publish(new ResourceLimitReached(
                Now, refusal.Error.Scope ?? string.Empty, refusal.Error.Kind, refusal.Error.Resource, refusal.Error.Requested,
                refusal.Error.Limit, refusal.Peer, refusal.Address, refusal.Protocol, refusal.Count)),
        };

        // As in the swarm, a connected peer's row follows the peer store's latency average (ping
        // results). Applied from the dispatcher: the peer store calls back under its own lock.
        // Told directly rather than by observing Peers, which would keep a snapshot per known peer.
        peerstore.LatencyChanged = (peer, latency) => network.Work.Post(() => FollowLatency(peer, latency));
    }

    public MockNetwork Network { get; }

    /// <summary>Order of creation in the mock network.</summary>
    public int Index { get; }

    public PublicKey LocalPublicKey { get; }

    public ProtocolRouter Router { get; } = new();

    public TimeProvider TimeProvider => Network.TimeProvider;

    public IScheduler Scheduler => Network.Work;

    public Multiaddr Address { get; }

    public INetwork Peer => this;

    public PeerId LocalPeer { get; }

    public IPeerstore Peerstore => peerstore;

    /// <inheritdoc/>
    public IResourceManager Resources => resources;

    /// <summary>The resource manager itself (connections and streams reserve in it).</summary>
    public ResourceManager ResourceManager => resources;

    public IReadOnlyList<Multiaddr> ListenAddresses
    {
        get
        {
            lock (gate)
            {
                return [.. listenAddresses];
            }
        }
    }

    public IObservable<NetworkEvent> Events => events;

    public IObservable<IConnection> NewConnections { get; }

    public IObservableCache<PeerId, PeerStatus> PeerStatuses => statuses;

    public Task Completion => completion.Task;

    public bool IsDisposed
    {
        get
        {
            lock (gate)
            {
                return disposed;
            }
        }
    }

    private DateTimeOffset Now => Network.TimeProvider.GetUtcNow();

    /// <summary>Starts listening on the peer's memory address and the services the options ask for.</summary>
    public void Start()
    {
        var options = Network.Options;
        if (options.Ping)
        {
            services.Add(new PingService(this, Network.TimeProvider));
        }

        if (options.Identify is { } identify)
        {
            services.Add(new IdentifyService(this, identify, Network.TimeProvider));
        }

        AddListenAddress(Address);
    }

    public IDisposable SetStreamHandler(string protocol, Func<IStream, Task> handler) => Router.SetHandler(protocol, handler);

    public IDisposable SetStreamHandler(string protocol, Func<IStream, CancellationToken, Task> handler) => Router.SetHandler(protocol, handler);

    public IObservable<IStream> Streams(string protocol) => Router.Streams(protocol);

    public IDisposable SetConnectionHandler(Action<IConnection> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return connectionHandler.Set((connection, _) => handler(connection));
    }

    public IDisposable SetConnectionHandler(Action<IConnection, CancellationToken> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return connectionHandler.Set(handler);
    }

    public Task ListenAsync(IEnumerable<Multiaddr> addresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        foreach (var address in addresses)
        {
            ArgumentNullException.ThrowIfNull(address, nameof(addresses));
            AddListenAddress(address);
        }

        return Task.CompletedTask;
    }

    public IReadOnlyList<Multiaddr> InterfaceListenAddresses() => ListenAddresses;

    public IDisposable Notify(INotifiee notifiee)
    {
        ArgumentNullException.ThrowIfNull(notifiee);
        return events.Subscribe(new NotifieeObserver(this, notifiee));
    }

    public async ValueTask DisposeAsync()
    {
        Multiaddr[] closing;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            closing = [.. listenAddresses];
            listenAddresses.Clear();
            foreach (var address in closing)
            {
                events.Publish(new ListenClosed(Now, address, null));
            }
        }

        // Handlers learn of the shutdown first, as on the swarm.
        await shutdown.CancelAsync().ConfigureAwait(false);
        FailDials(new ObjectDisposedException(nameof(INetwork), "The mock peer was disposed."));
        foreach (var connection in Connections.Cast<MockConnection>())
        {
            await connection.CloseAsync().ConfigureAwait(false);
        }

        peerstore.LatencyChanged = null;
        services.ForEach(s => s.Dispose());
        Router.Complete();
        events.Complete();
        resources.Dispose();
        statuses.Dispose();
        peerstore.Dispose();
        completion.TrySetResult();
    }

    public override string ToString() => $"mock peer {Index} {LocalPeer.Short()}";

    /// <summary>Fast-mode connections are tracked by the link itself (its pairs); nothing else to fail.</summary>
    public void Cut(MockLink link, Exception reason)
    {
    }

    /// <summary>Publishes StreamOpened.</summary>
    public void OnStreamOpened(MockStream stream)
    {
        lock (gate)
        {
            if (events.IsObserved)
            {
                events.Publish(new StreamOpened(Now, stream));
            }
        }
    }

    /// <summary>Publishes StreamClosed.</summary>
    public void OnStreamClosed(MockStream stream, Exception? error)
    {
        lock (gate)
        {
            if (events.IsObserved)
            {
                events.Publish(new StreamClosed(Now, stream, error));
            }
        }
    }

    /// <summary>Hands an inbound stream to its handler (off the delivering stack) or its <c>Streams</c> subscribers.</summary>
    public void DispatchInbound(MockStream stream)
    {
        Func<IStream, CancellationToken, Task>? handler;
        try
        {
            if (!Router.TryDispatch(stream, out handler))
            {
                stream.Reset();
                return;
            }
        }
        catch (Exception)
        {
            // A Streams() subscriber threw while taking the stream: nobody owns it.
            stream.Reset();
            return;
        }

        if (handler is not null)
        {
            var token = shutdown.Token;
            Network.Work.Post(() => _ = RunHandlerAsync(stream, handler, token));
        }
    }

    private static async Task RunHandlerAsync(MockStream stream, Func<IStream, CancellationToken, Task> handler, CancellationToken shutdown)
    {
        try
        {
            await handler(stream, shutdown).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            stream.Reset();
        }
    }

    private void FollowLatency(PeerId peer, TimeSpan latency)
    {
        lock (gate)
        {
            if (!disposed && statuses.TryGetValue(peer, out var status) && status.ConnectionCount > 0 && status.Latency != latency)
            {
                statuses.AddOrUpdate(status with { Latency = latency });
            }
        }
    }

    private void AddListenAddress(Multiaddr address)
    {
        lock (gate)
        {
            if (listenAddresses.Contains(address))
            {
                return;
            }

            listenAddresses.Add(address);
            events.Publish(new ListenStarted(Now, address));
        }
    }

    private void InvokeConnectionHandler(IConnection connection)
    {
        var handler = connectionHandler.Handler;
        try
        {
            handler?.Invoke(connection, shutdown.Token);
        }
        catch (Exception)
        {
            // A throwing connection handler must not cost the connection.
        }
    }
}
