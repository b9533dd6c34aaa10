using Rx.Network.Identity;
using Rx.Network.Mock.Links;
using Rx.Network.Peerstore;
using Rx.Network.Reactive;
using Rx.Network.Swarm;

namespace Rx.Network.Mock.Peers;

internal sealed partial class MockPeer
{
    private readonly Dictionary<PeerId, List<MockConnection>> connections = [];
    private readonly Dictionary<PeerId, SharedOutcome<IConnection>> dials = [];
    private int nextConnectionId;

    public IReadOnlyList<PeerId> Peers
    {
        get
        {
            lock (gate)
            {
                return [.. connections.Keys];
            }
        }
    }

    public IReadOnlyList<IConnection> Connections
    {
        get
        {
            lock (gate)
            {
                return [.. connections.Values.SelectMany(list => list)];
            }
        }
    }

    public IReadOnlyList<IConnection> ConnectionsToPeer(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        lock (gate)
        {
            return connections.TryGetValue(peer, out var list) ? [.. list] : [];
        }
    }

    public Connectedness Connectedness(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return statuses.TryGetValue(peer, out var status) ? status.Connectedness : Rx.Network.Connectedness.NotConnected;
    }

    public async Task ClosePeerAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        foreach (var connection in ConnectionsToPeer(peer))
        {
            await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<IConnection> DialPeerAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer == LocalPeer)
        {
            throw new ArgumentException("A node cannot dial itself.", nameof(peer));
        }

        cancellationToken.ThrowIfCancellationRequested();
        SharedOutcome<IConnection>? attempt;
        bool start = false;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (connections.TryGetValue(peer, out var list) && list.FirstOrDefault(c => !c.IsClosed) is { } open)
            {
                return Task.FromResult<IConnection>(open);
            }

            if (!dials.TryGetValue(peer, out attempt))
            {
                // Every concurrent caller waits for this one dial and resumes through the
                // network's scheduler, in the order it called (ADR 0011).
                attempt = new SharedOutcome<IConnection>(Network.Work);
                dials[peer] = attempt;
                start = true;
            }
        }

        if (start)
        {
            Network.StartDial(this, peer, attempt);
        }

        return attempt.WaitAsync(cancellationToken);
    }

    public Task<IStream> NewStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken = default) =>
        StreamOpening.DialAndOpenAsync(this, peer, protocols, cancellationToken);

    /// <summary>A dial from <paramref name="pair"/>'s dialer arrived here.</summary>
    public void AcceptDial(ConnectionPair pair, SharedOutcome<IConnection> attempt)
    {
        var dialer = pair.Dialer;
        if (IsDisposed)
        {
            pair.Link.From(this).Send(new Frame(
                kind: null,
                protocol: null,
                0,
                () => dialer.DialFailed(LocalPeer, attempt, Refused(pair, new MockLinkException($"{this} is shut down."))),
                lost => dialer.DialFailed(LocalPeer, attempt, Refused(pair, lost))));
            pair.Link.Untrack(pair);
            return;
        }

        // As the swarm: pending in the transient scope, then moved to the proven peer. Mock peers
        // have no IP address, so no address scope applies.
        var scope = resources.TryOpenInbound(null, out var refusal);
        if (scope is not null && !scope.TrySetPeer(dialer.LocalPeer, out refusal))
        {
            scope.Dispose();
            scope = null;
        }

        if (scope is null)
        {
            var reason = refusal!;
            pair.Link.From(this).Send(new Frame(
                kind: null,
                protocol: null,
                0,
                () => dialer.DialFailed(LocalPeer, attempt, Refused(pair, reason)),
                lost => dialer.DialFailed(LocalPeer, attempt, Refused(pair, lost))));
            pair.Link.Untrack(pair);
            resources.PublishIfObserved();
            return;
        }

        var side = new MockConnection(pair, this, dialer, Direction.Inbound, NextConnectionId(), Now, scope);
        pair.ListenerSide = side;
        AddConnection(side);
        pair.Link.From(this).Send(new Frame(
            kind: null,
            protocol: null,
            0,
            () => dialer.CompleteDial(pair, attempt),
            lost => dialer.DialFailed(LocalPeer, attempt, Refused(pair, lost))));
    }

    /// <summary>Our dial was accepted: the connection is up at both ends.</summary>
    public void CompleteDial(ConnectionPair pair, SharedOutcome<IConnection> attempt)
    {
        if (IsDisposed)
        {
            pair.ListenerSide?.Close(new MockLinkException("The dialing peer shut down."), notifyRemote: false);
            DialFailed(pair.Listener.LocalPeer, attempt, new ObjectDisposedException(nameof(INetwork), "The mock peer was disposed."));
            return;
        }

        var scope = resources.TryOpenOutbound(pair.Listener.LocalPeer, out var refusal);
        if (scope is null)
        {
            pair.ListenerSide?.Close(refusal, notifyRemote: false);
            lock (gate)
            {
                dials.Remove(pair.Listener.LocalPeer);
            }

            attempt.TrySetException(new DialException($"Cannot dial peer {pair.Listener.LocalPeer}: {refusal!.Message}", refusal));
            resources.PublishIfObserved();
            return;
        }

        var side = new MockConnection(pair, this, pair.Listener, Direction.Outbound, NextConnectionId(), Now, scope);
        pair.DialerSide = side;
        lock (gate)
        {
            dials.Remove(pair.Listener.LocalPeer);
        }

        AddConnection(side);
        attempt.TrySetResult(side);
    }

    /// <summary>The dial to <paramref name="peer"/> failed: CannotConnect unless another connection is up.</summary>
    public void DialFailed(PeerId peer, SharedOutcome<IConnection> attempt, Exception error)
    {
        lock (gate)
        {
            if (dials.TryGetValue(peer, out var current) && current == attempt)
            {
                dials.Remove(peer);
            }

            if (!connections.ContainsKey(peer) && !disposed)
            {
                UpdateStatus(peer, Rx.Network.Connectedness.CannotConnect, 0);
            }
        }

        attempt.TrySetException(error);
    }

    /// <summary>A connection of ours ended.</summary>
    public void OnConnectionClosed(MockConnection connection, Exception? error)
    {
        var peer = connection.RemotePeer;
        lock (gate)
        {
            if (!connections.TryGetValue(peer, out var list) || !list.Remove(connection))
            {
                return;
            }

            if (list.Count == 0)
            {
                connections.Remove(peer);

                // As in the swarm: a graceful close leaves the peer reachable; a failure leaves us not knowing.
                UpdateStatus(peer, error is null ? Rx.Network.Connectedness.CanConnect : Rx.Network.Connectedness.NotConnected, 0);
            }
            else
            {
                UpdateStatus(peer, Rx.Network.Connectedness.Connected, list.Count);
            }

            if (events.IsObserved)
            {
                events.Publish(new Disconnected(Now, connection, error));
            }
        }
    }

    private static DialException Refused(ConnectionPair pair, Exception reason) =>
        new(pair.Listener.LocalPeer, $"The mock dial to {pair.Listener.LocalPeer} failed: {reason.Message}", [new(pair.Listener.Address, reason)]);

    private void AddConnection(MockConnection connection)
    {
        var peer = connection.RemotePeer;
        lock (gate)
        {
            if (!connections.TryGetValue(peer, out var list))
            {
                // Sized for the usual one connection to a peer.
                connections[peer] = list = new(1);
            }

            list.Add(connection);
            UpdateStatus(peer, Rx.Network.Connectedness.Connected, list.Count);

            // Published under the lock: a close of this connection cannot publish its Disconnected first.
            if (events.IsObserved)
            {
                events.Publish(new Connected(Now, connection));
            }
        }

        peerstore.AddPublicKey(peer, connection.RemotePublicKey);
        peerstore.AddAddresses(peer, [connection.RemoteAddress], AddressTtl.Connected);
        InvokeConnectionHandler(connection);
    }

    private void FailDials(Exception error)
    {
        KeyValuePair<PeerId, SharedOutcome<IConnection>>[] pending;
        lock (gate)
        {
            pending = [.. dials];
            dials.Clear();
        }

        foreach (var (_, attempt) in pending)
        {
            attempt.TrySetException(error);
        }
    }

    private int NextConnectionId() => Interlocked.Increment(ref nextConnectionId);

    private void UpdateStatus(PeerId peer, Connectedness connectedness, int connectionCount) =>
        statuses.AddOrUpdate(new PeerStatus(peer, connectedness, connectionCount, peerstore.LatencyOf(peer)));
}
