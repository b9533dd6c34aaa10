using System.Collections.Concurrent;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Reactive;

namespace Rx.Network.Swarm;

/// <content>
/// The peer status rows behind <see cref="PeerStatuses"/>: written under <see cref="connectionsGate"/>,
/// bounded in their not-connected rows, and following the peer store's latency average.
/// </content>
internal sealed partial class SwarmNetwork
{
    // The peer store's latest latency average per peer. Written from the peer store's change
    // callback, which runs under the peer store's own lock, so it is a concurrent map rather than
    // state under connectionsGate: UpdateStatus reads it without ever taking the peer store's lock
    // while holding ours. Bounded by the peer store (entries leave with its Remove changes).
    private readonly ConcurrentDictionary<PeerId, TimeSpan> latencies = new();

    // Peers whose row says they have no open connection, oldest first: past
    // NetworkOptions.MaxNotConnectedPeerStatuses the first one's row is removed. Under connectionsGate.
    private readonly LinkedList<PeerId> idleOrder = [];
    private readonly Dictionary<PeerId, LinkedListNode<PeerId>> idleNodes = [];

    private IDisposable? latencyFollower;
    private bool statusesClosed;

    /// <summary>Subscribes to the peer store's changes to keep the rows' latency current; called once, from the constructor.</summary>
    private void FollowLatency() =>
        latencyFollower = Peerstore.Peers.Connect().Subscribe(OnPeerstoreChanged, static _ => { });

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

        // This runs under the peer store's lock, and code holding connectionsGate may be waiting
        // for that lock (a PeerStatuses observer that writes to the peer store): never block on
        // connectionsGate here. Uncontended, the rows change before the peer store's edit returns;
        // contended, work posted to the network's scheduler applies them. Either path applies the latest average from
        // `latencies`, never a captured one, so the two cannot reorder a peer's values.
        if (Monitor.TryEnter(connectionsGate))
        {
            try
            {
                ApplyLatencies(changed);
            }
            finally
            {
                Monitor.Exit(connectionsGate);
            }
        }
        else
        {
            scheduler.Post(() =>
            {
                lock (connectionsGate)
                {
                    ApplyLatencies(changed);
                }
            });
        }
    }

    /// <summary>Copies the latest latency average into the rows of connected peers; call under <see cref="connectionsGate"/>.</summary>
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

    /// <summary>Sets a peer's status row, then evicts the oldest not-connected rows past the bound; call under <see cref="connectionsGate"/>.</summary>
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

    /// <summary>Stops following the peer store and completes <see cref="PeerStatuses"/>; later row updates are dropped.</summary>
    private void CloseStatuses()
    {
        // First detach from the peer store, so no new callback starts; one already running (or
        // queued to the thread pool) finds statusesClosed set under the lock and does nothing.
        latencyFollower?.Dispose();
        lock (connectionsGate)
        {
            statusesClosed = true;
            peerStatuses.Dispose();
        }
    }
}
