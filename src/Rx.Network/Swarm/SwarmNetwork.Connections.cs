using Microsoft.Extensions.Logging;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Reactive;

namespace Rx.Network.Swarm;

internal sealed partial class SwarmNetwork
{
    private readonly object connectionsGate = new();
    private readonly Dictionary<PeerId, List<SwarmConnection>> connections = [];
    private readonly ObservableCache<PeerId, PeerStatus> peerStatuses = new(status => status.Peer);
    private int inboundCount;
    private int outboundCount;

    /// <inheritdoc/>
    public IReadOnlyList<PeerId> Peers
    {
        get
        {
            lock (connectionsGate)
            {
                return connections.Keys.ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<IConnection> Connections
    {
        get
        {
            lock (connectionsGate)
            {
                return connections.Values.SelectMany(list => list).ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<IConnection> ConnectionsToPeer(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        lock (connectionsGate)
        {
            return connections.TryGetValue(peer, out var list) ? list.ToArray() : [];
        }
    }

    /// <inheritdoc/>
    public Connectedness Connectedness(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return peerStatuses.TryGetValue(peer, out var status) ? status.Connectedness : Network.Connectedness.NotConnected;
    }

    /// <inheritdoc/>
    public async Task ClosePeerAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        await Task.WhenAll(ConnectionsToPeer(peer).Select(c => c.CloseAsync(cancellationToken))).ConfigureAwait(false);
    }

    private SwarmConnection? OpenConnection(PeerId peer)
    {
        // A connection the remote sent GoAway on stays until its streams finish, but takes no new
        // ones: a dial for a new stream must not be handed it.
        lock (connectionsGate)
        {
            return connections.TryGetValue(peer, out var list) ? list.FirstOrDefault(c => c.CanOpenStreams) : null;
        }
    }

    /// <summary>
    /// Admits an upgraded connection: checks the limits, records it, moves the peer to
    /// <see cref="Network.Connectedness.Connected"/>, publishes <see cref="Connected"/>, and only
    /// then starts accepting its streams (so <see cref="Connected"/> precedes its
    /// <see cref="StreamOpened"/>s).
    /// </summary>
    /// <exception cref="ConnectionLimitExceededException">A limit was reached; the connection was closed.</exception>
    private SwarmConnection AddConnection(UpgradedConnection upgraded)
    {
        var connection = new SwarmConnection(upgraded, this, NextConnectionId(), Now);
        var peer = connection.RemotePeer;
        var limits = options.Limits;
        lock (connectionsGate)
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

        Metrics.ConnectionOpened(connection.Direction);
        ClearBackoff(peer);
        Peerstore.AddPublicKey(peer, connection.RemotePublicKey);
        Peerstore.AddAddresses(peer, [connection.RemoteAddress], AddressTtl.Connected);
        connection.Start();
        InvokeConnectionHandler(connection);
        return connection;
    }

    /// <inheritdoc/>
    public void OnConnectionClosed(SwarmConnection connection, Exception? error) => RemoveConnection(connection, error);

    private void RemoveConnection(SwarmConnection connection, Exception? error)
    {
        var peer = connection.RemotePeer;
        lock (connectionsGate)
        {
            if (!connections.TryGetValue(peer, out var list) || !list.Remove(connection))
            {
                return;
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

        Metrics.ConnectionClosed(connection.Direction);
        if (error is not null)
        {
            logger.ConnectionFailed(error, connection);
        }
    }

    private void MarkDialFailed(PeerId peer)
    {
        lock (connectionsGate)
        {
            if (!connections.ContainsKey(peer))
            {
                UpdateStatus(peer, Network.Connectedness.CannotConnect, 0);
            }
        }
    }
}
