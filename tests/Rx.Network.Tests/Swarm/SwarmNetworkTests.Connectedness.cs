using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Reactive;
using Rx.Network.Swarm;

namespace Rx.Network.Tests.Swarm;

public partial class SwarmNetworkTests
{
    private static readonly TimeSpan Wait = SwarmKit.Wait;

    /// <summary>Dialing right after a failure is allowed (no backoff), so tests can redial at once.</summary>
    private static NetworkBuilder NoBackoff(NetworkBuilder builder) =>
        builder.WithOptions(o => o with { Dial = new DialOptions { BackoffBase = TimeSpan.Zero, BackoffMax = TimeSpan.Zero } });

    [Fact]
    public async Task Connectedness_DialThenClosePeer_GoesConnectedThenCanConnect_OnBothSides()
    {
        await using var a = await SwarmKit.StartAsync(NoBackoff);
        await using var b = await SwarmKit.StartAsync();
        Assert.Equal(Connectedness.NotConnected, a.Connectedness(b.LocalPeer));

        var connection = await SwarmKit.ConnectAsync(a, b);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
        Assert.Equal(Connectedness.Connected, b.Connectedness(a.LocalPeer));
        Assert.Equal([b.LocalPeer], a.Peers);
        Assert.Same(connection, Assert.Single(a.ConnectionsToPeer(b.LocalPeer)));

        var remoteSawClose = b.PeerStatuses.Watch(a.LocalPeer).FirstAsync(c => c.Current.Connectedness == Connectedness.CanConnect).ToTask();
        await a.ClosePeerAsync(b.LocalPeer).WaitAsync(Wait);

        // Once ClosePeerAsync returns, the local view is settled.
        Assert.Equal(Connectedness.CanConnect, a.Connectedness(b.LocalPeer));
        Assert.Empty(a.ConnectionsToPeer(b.LocalPeer));
        Assert.Empty(a.Peers);
        await remoteSawClose.WaitAsync(Wait);
        Assert.Equal(Connectedness.CanConnect, b.Connectedness(a.LocalPeer));

        // A new connection brings the peer back.
        var again = await a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait);
        Assert.NotSame(connection, again);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
    }

    [Fact]
    public async Task Connectedness_RemoteDisposesItsNetwork_BecomesCanConnect()
    {
        await using var a = await SwarmKit.StartAsync();
        await using var b = await SwarmKit.StartAsync();
        var connection = await SwarmKit.ConnectAsync(a, b);
        using var events = new EventRecorder(a);

        await b.DisposeAsync();
        var disconnected = await events.WaitForAsync<Disconnected>(e => e.Connection == connection);
        Assert.Null(disconnected.Error);
        await connection.Completion.WaitAsync(Wait);
        Assert.Equal(Connectedness.CanConnect, a.Connectedness(b.LocalPeer));
    }

    [Fact]
    public async Task Connectedness_DialToClosedPort_BecomesCannotConnect()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        using var dead = new DeadPort();
        var peer = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);
        a.Peerstore.AddAddresses(peer, [dead.Address], AddressTtl.Permanent);

        await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(peer).WaitAsync(Wait));
        Assert.Equal(Connectedness.CannotConnect, a.Connectedness(peer));
        Assert.True(a.PeerStatuses.TryGetValue(peer, out var status));
        Assert.Equal(new PeerStatus(peer, Connectedness.CannotConnect, 0, null), status);
    }

    [Fact]
    public async Task Connectedness_WrongPeerId_BecomesCannotConnect_ThenConnectedWhenThatPeerConnects()
    {
        await using var a = await SwarmKit.StartAsync();
        await using var b = await SwarmKit.StartAsync();
        var impostorKey = PrivateKey.Generate();
        var expected = PeerId.FromPublicKey(impostorKey.PublicKey);

        // b answers at the address a believes belongs to `expected`.
        a.Peerstore.AddAddresses(expected, b.ListenAddresses, AddressTtl.Permanent);
        var failure = await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(expected).WaitAsync(Wait));
        Assert.Equal(expected, failure.Peer);
        Assert.Contains(failure.AddressErrors, e => e.Value is PeerIdMismatchException);
        Assert.Equal(Connectedness.CannotConnect, a.Connectedness(expected));
        Assert.Equal(Connectedness.NotConnected, a.Connectedness(b.LocalPeer));

        // The real `expected` connects to us: inbound connections are not subject to our backoff.
        await using var real = await SwarmKit.StartAsync(x => x.WithIdentity(impostorKey), listen: false);
        await SwarmKit.ConnectAsync(real, a);
        Assert.Equal(Connectedness.Connected, a.Connectedness(expected));
    }

    [Fact]
    public async Task PeerStatuses_Connect_PublishesAddThenUpdatesWithPrevious()
    {
        await using var a = await SwarmKit.StartAsync(NoBackoff);
        await using var b = await SwarmKit.StartAsync();
        var changes = new List<Change<PeerId, PeerStatus>>();
        using var subscription = a.PeerStatuses.Connect().Subscribe(set =>
        {
            lock (changes)
            {
                changes.AddRange(set);
            }
        });

        // Rx LINQ over the change sets: the first moment b is reachable again after a close.
        var canConnect = a.PeerStatuses.Connect()
            .SelectMany(set => set)
            .Where(c => c.Key == b.LocalPeer && c.Current.Connectedness == Connectedness.CanConnect)
            .Select(c => c.Current)
            .FirstAsync()
            .ToTask();

        await SwarmKit.ConnectAsync(a, b);
        await a.ClosePeerAsync(b.LocalPeer).WaitAsync(Wait);
        Assert.Equal(0, (await canConnect.WaitAsync(Wait)).ConnectionCount);
        await a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait);

        Change<PeerId, PeerStatus>[] seen;
        lock (changes)
        {
            seen = [.. changes];
        }

        Assert.Equal(3, seen.Length);
        Assert.All(seen, c => Assert.Equal(b.LocalPeer, c.Key));
        Assert.Equal(ChangeReason.Add, seen[0].Reason);
        Assert.Equal((Connectedness.Connected, 1), (seen[0].Current.Connectedness, seen[0].Current.ConnectionCount));
        Assert.Equal(ChangeReason.Update, seen[1].Reason);
        Assert.Equal(seen[0].Current, seen[1].Previous);
        Assert.Equal((Connectedness.CanConnect, 0), (seen[1].Current.Connectedness, seen[1].Current.ConnectionCount));
        Assert.Equal(ChangeReason.Update, seen[2].Reason);
        Assert.Equal(seen[1].Current, seen[2].Previous);
        Assert.Equal(Connectedness.Connected, seen[2].Current.Connectedness);

        // A late subscriber gets the table as it is now.
        var snapshot = await a.PeerStatuses.Connect().FirstAsync().ToTask().WaitAsync(Wait);
        Assert.Equal(Connectedness.Connected, Assert.Single(snapshot).Current.Connectedness);
    }
}
