using System.Collections.Concurrent;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Reactive;

namespace Rx.Network.Swarm;

/// <summary>
/// The network's open connections per peer, their counts against <see cref="ConnectionLimits"/>,
/// and the peer status rows behind <see cref="INetwork.PeerStatuses"/>: written under one lock
/// with the connections, bounded in their not-connected rows, and following the peer store's
/// latency average.
/// </summary>
/// <remarks>
/// Contract: <see cref="Admit"/> and <see cref="Remove"/> change a peer's connections, its status
/// row and publish <see cref="Connected"/> / <see cref="Disconnected"/> under the lock, so a
/// peer's events and rows never reorder; <see cref="MarkDialFailed"/> moves a peer without
/// connections to <see cref="Network.Connectedness.CannotConnect"/>. After <see cref="Dispose"/>
/// (the network's shutdown) rows are no longer written.
/// </remarks>
internal sealed class ConnectionRegistry : IDisposable
{
    private readonly NetworkOptions options;
    private readonly EventHub events;
    private readonly CancellationToken shutdown;
    private readonly NetworkScheduler scheduler;
    private readonly object gate = new();
    private readonly Dictionary<PeerId, List<SwarmConnection>> connections = [];
    private readonly ObservableCache<PeerId, PeerStatus> peerStatuses = new(status => status.Peer);

    // The peer store's latest latency average per peer. Written from the peer store's change
    // callback, which runs under the peer store's own lock, so it is a concurrent map rather than
    // state under the gate: UpdateStatus reads it without ever taking the peer store's lock
    // while holding ours. Bounded by the peer store (entries leave with its Remove changes).
    private readonly ConcurrentDictionary<PeerId, TimeSpan> latencies = new();

    // Peers whose row says they have no open connection, oldest first: past
    // NetworkOptions.MaxNotConnectedPeerStatuses the first one's row is removed. Under the gate.
    private readonly LinkedList<PeerId> idleOrder = [];
    private readonly Dictionary<PeerId, LinkedListNode<PeerId>> idleNodes = [];

    private readonly IDisposable latencyFollower;
    private int inboundCount;
    private int outboundCount;
    private bool statusesClosed;

    /// <summary>Creates the registry and starts following <paramref name="peerstore"/>'s latency averages.</summary>
    /// <param name="options">The connection limits, the bound on not-connected rows and the clock.</param>
    /// <param name="events">Where <see cref="Connected"/> and <see cref="Disconnected"/> go.</param>
    /// <param name="peerstore">The peer store whose latency averages the rows show.</param>
    /// <param name="scheduler">Where latency updates that found the lock taken are applied (ADR 0011).</param>
    /// <param name="shutdown">Cancelled when the network shuts down: no connection is admitted after it.</param>
    public ConnectionRegistry(NetworkOptions options, EventHub events, IPeerstore peerstore, NetworkScheduler scheduler, CancellationToken shutdown)
    {
        this.options = options;
        this.scheduler = scheduler;
        this.events = events;
        this.shutdown = shutdown;
        latencyFollower = peerstore.Peers.Connect().Subscribe(OnPeerstoreChanged, static _ => { });
    }

    /// <summary>The status rows.</summary>
    public IObservableCache<PeerId, PeerStatus> PeerStatuses => peerStatuses;

    /// <summary>Inbound connections open (read without the lock: a cheap early check, the admission decides).</summary>
    public int InboundCount => Volatile.Read(ref inboundCount);

    /// <summary>Outbound connections open (read without the lock: a cheap early check, the admission decides).</summary>
    public int OutboundCount => Volatile.Read(ref outboundCount);

    /// <summary>Peers with at least one open connection.</summary>
    public IReadOnlyList<PeerId> Peers
    {
        get
        {
            lock (gate)
            {
                return connections.Keys.ToArray();
            }
        }
    }

    /// <summary>Every open connection.</summary>
    public IReadOnlyList<SwarmConnection> Connections
    {
        get
        {
            lock (gate)
            {
                return connections.Values.SelectMany(list => list).ToArray();
            }
        }
    }

    private DateTimeOffset Now => options.TimeProvider.GetUtcNow();

    /// <summary>The open connections to <paramref name="peer"/>.</summary>
    public IReadOnlyList<IConnection> ConnectionsToPeer(PeerId peer)
    {
        lock (gate)
        {
            return connections.TryGetValue(peer, out var list) ? list.ToArray() : [];
        }
    }

    /// <summary>The peer's connectedness as its status row says.</summary>
    public Connectedness Connectedness(PeerId peer) =>
        peerStatuses.TryGetValue(peer, out var status) ? status.Connectedness : Network.Connectedness.NotConnected;

    /// <summary>A connection to <paramref name="peer"/> that takes new streams, if any.</summary>
    public SwarmConnection? OpenConnection(PeerId peer)
    {
        // A connection the remote sent GoAway on stays until its streams finish, but takes no new
        // ones: a dial for a new stream must not be handed it.
        lock (gate)
        {
            return connections.TryGetValue(peer, out var list) ? list.FirstOrDefault(c => c.CanOpenStreams) : null;
        }
    }

    /// <summary>
    /// Checks the limits, records the connection, moves the peer to
    /// <see cref="Network.Connectedness.Connected"/> and publishes <see cref="Connected"/>.
    /// </summary>
    /// <exception cref="ConnectionLimitExceededException">A limit was reached (or the network shut down); the connection was aborted.</exception>
    public void Admit(SwarmConnection connection)
    {
        var peer = connection.RemotePeer;
        var limits = options.Limits;
        lock (gate)
        {
            string? exceeded = null;
            int limit = 0;
            if (shutdown.IsCancellationRequested)
            {
                exceeded = "network shut down";
            }
            else if (connections.TryGetValue(peer, out var existing) && existing.Count >= limits.MaxPerPeer)
            {
                (exceeded, limit) = (nameof(limits.MaxPerPeer), limits.MaxPerPeer);
            }
            else if (connection.Direction == Direction.Inbound && inboundCount >= limits.MaxInbound)
            {
                (exceeded, limit) = (nameof(limits.MaxInbound), limits.MaxInbound);
            }
            else if (connection.Direction == Direction.Outbound && outboundCount >= limits.MaxOutbound)
            {
                (exceeded, limit) = (nameof(limits.MaxOutbound), limits.MaxOutbound);
            }

            if (exceeded is not null)
            {
                var error = new ConnectionLimitExceededException(exceeded, limit);
                connection.Abort(error);
                throw error;
            }

            if (!connections.TryGetValue(peer, out var list))
            {
                connections[peer] = list = [];
            }

            list.Add(connection);
            _ = connection.Direction == Direction.Inbound ? inboundCount++ : outboundCount++;
            UpdateStatus(peer, Network.Connectedness.Connected, list.Count);

            // Published under the lock: a concurrent close of this connection cannot publish its
            // Disconnected first.
            events.Publish(new Connected(Now, connection));
        }
    }

    /// <summary>
    /// Removes a connection that ended, updates its peer's row and publishes <see cref="Disconnected"/>;
    /// <see langword="false"/> when it was not (or no longer) registered.
    /// </summary>
    public bool Remove(SwarmConnection connection, Exception? error)
    {
        var peer = connection.RemotePeer;
        lock (gate)
        {
            if (!connections.TryGetValue(peer, out var list) || !list.Remove(connection))
            {
                return false;
            }

            _ = connection.Direction == Direction.Inbound ? inboundCount-- : outboundCount--;
            if (list.Count == 0)
            {
                connections.Remove(peer);

                // A graceful close leaves the peer reachable; a failure leaves us not knowing.
                UpdateStatus(peer, error is null ? Network.Connectedness.CanConnect : Network.Connectedness.NotConnected, 0);
            }
            else
            {
                UpdateStatus(peer, Network.Connectedness.Connected, list.Count);
            }

            events.Publish(new Disconnected(Now, connection, error));
        }

        return true;
    }

    /// <summary>A dial to <paramref name="peer"/> failed: unless a connection exists meanwhile, its row says it cannot be reached.</summary>
    public void MarkDialFailed(PeerId peer)
    {
        lock (gate)
        {
            if (!connections.ContainsKey(peer))
            {
                UpdateStatus(peer, Network.Connectedness.CannotConnect, 0);
            }
        }
    }

    /// <summary>Stops following the peer store and completes <see cref="PeerStatuses"/>; later row updates are dropped.</summary>
    public void Dispose()
    {
        // First detach from the peer store, so no new callback starts; one already running (or
        // queued to the thread pool) finds statusesClosed set under the lock and does nothing.
        latencyFollower.Dispose();
        lock (gate)
        {
            statusesClosed = true;
            peerStatuses.Dispose();
        }
    }

    private void OnPeerstoreChanged(IChangeSet<PeerId, PeerInfo> changes)
    {
        List<PeerId>? changed = null;
        foreach (var change in changes)
        {
            if (change.Reason == ChangeReason.Remove)
            {
                latencies.TryRemove(change.Key, out _);
            }
            else if (change.Current.Latency is { } latency
                && (!latencies.TryGetValue(change.Key, out var known) || known != latency))
            {
                latencies[change.Key] = latency;
                (changed ??= []).Add(change.Key);
            }
        }

        if (changed is null)
        {
            return;
        }

        // This runs under the peer store's lock, and code holding the gate may be waiting
        // for that lock (a PeerStatuses observer that writes to the peer store): never block on
        // the gate here. Uncontended, the rows change before the peer store's edit returns;
        // contended, work posted to the network's scheduler applies them. Either path applies the latest average from
        // `latencies`, never a captured one, so the two cannot reorder a peer's values.
        if (Monitor.TryEnter(gate))
        {
            try
            {
                ApplyLatencies(changed);
            }
            finally
            {
                Monitor.Exit(gate);
            }
        }
        else
        {
            scheduler.Post(() =>
            {
                lock (gate)
                {
                    ApplyLatencies(changed);
                }
            });
        }
    }

    /// <summary>Copies the latest latency average into the rows of connected peers; call under the gate.</summary>
    private void ApplyLatencies(List<PeerId> peers)
    {
        if (statusesClosed)
        {
            return;
        }

        foreach (var peer in peers)
        {
            // A not-connected row keeps the latency it had when its last connection closed.
            if (peerStatuses.TryGetValue(peer, out var status)
                && status.Connectedness == Network.Connectedness.Connected
                && latencies.TryGetValue(peer, out var latency)
                && status.Latency != latency)
            {
                peerStatuses.AddOrUpdate(status with { Latency = latency });
            }
        }
    }

    /// <summary>Sets a peer's status row, then evicts the oldest not-connected rows past the bound; call under the gate.</summary>
    private void UpdateStatus(PeerId peer, Connectedness connectedness, int connectionCount)
    {
        if (statusesClosed)
        {
            // A connection that ends after shutdown has nowhere left to report.
            return;
        }

        TimeSpan? latency = latencies.TryGetValue(peer, out var known) ? known : null;
        peerStatuses.AddOrUpdate(new PeerStatus(peer, connectedness, connectionCount, latency));
        if (idleNodes.Remove(peer, out var node))
        {
            idleOrder.Remove(node);
        }

        if (connectedness == Network.Connectedness.Connected)
        {
            return;
        }

        idleNodes[peer] = idleOrder.AddLast(peer);
        while (idleOrder.Count > options.MaxNotConnectedPeerStatuses)
        {
            var oldest = idleOrder.First!.Value;
            idleOrder.RemoveFirst();
            idleNodes.Remove(oldest);
            peerStatuses.Remove(oldest);
        }
    }
}
