using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Rx.Network.Reactive;

namespace Rx.Network.Tests.Swarm;

public partial class SwarmNetworkTests
{
    [Fact]
    public async Task PeerStatuses_Latency_FollowsThePeerstoreAverageWhileConnected()
    {
        await using var a = await SwarmKit.StartAsync(NoBackoff);
        await using var b = await SwarmKit.StartAsync();
        await SwarmKit.ConnectAsync(a, b);
        var peer = b.LocalPeer;

        a.Peerstore.RecordLatency(peer, TimeSpan.FromMilliseconds(40));
        await LatencyReachesAsync(a, peer, TimeSpan.FromMilliseconds(40));

        // The row follows the average (smoothing 0.1), not the last sample.
        a.Peerstore.RecordLatency(peer, TimeSpan.FromMilliseconds(80));
        var average = a.Peerstore.PeerInfo(peer)!.Latency!.Value;
        Assert.Equal(TimeSpan.FromMilliseconds(44), average);
        await LatencyReachesAsync(a, peer, average);

        // A peer without connections keeps the latency it had when they closed...
        await a.ClosePeerAsync(peer).WaitAsync(Wait);
        a.Peerstore.RecordLatency(peer, TimeSpan.FromMilliseconds(440));
        Assert.True(a.PeerStatuses.TryGetValue(peer, out var closed));
        Assert.Equal((Connectedness.CanConnect, (TimeSpan?)average), (closed.Connectedness, closed.Latency));

        // ...and shows the current average again once it reconnects.
        await a.DialPeerAsync(peer).WaitAsync(Wait);
        Assert.True(a.PeerStatuses.TryGetValue(peer, out var reconnected));
        Assert.Equal(Connectedness.Connected, reconnected.Connectedness);
        Assert.Equal(a.Peerstore.PeerInfo(peer)!.Latency, reconnected.Latency);
    }

    [Fact]
    public async Task PeerStatuses_Latency_FollowsPingResults()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        SwarmKit.Introduce(a, b);

        var rtts = new List<TimeSpan>();
        for (int i = 0; i < 3; i++)
        {
            rtts.Add(await PingService.PingAsync(a, b.LocalPeer).WaitAsync(Wait));
            var average = a.Peerstore.PeerInfo(b.LocalPeer)!.Latency!.Value;
            await LatencyReachesAsync(a, b.LocalPeer, average);
        }

        Assert.Equal(3, rtts.Count);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
    }

    [Fact]
    public async Task PeerStatuses_Latency_DisposingWhileSamplesArrive_EndsCleanly()
    {
        // A peer store that outlives the network, so samples keep coming after it shut down.
        using var store = new MemoryPeerstore();
        var a = await SwarmKit.StartAsync(x => x.WithPeerstore(store));
        await using var b = await SwarmKit.StartAsync();
        await SwarmKit.ConnectAsync(b, a);
        var completed = a.PeerStatuses.Connect().LastOrDefaultAsync().ToTask();
        using var stop = new CancellationTokenSource();

        // Samples race the shutdown: none may touch the completed status cache.
        var sampling = Task.Run(() =>
        {
            int n = 0;
            while (!stop.IsCancellationRequested)
            {
                store.RecordLatency(b.LocalPeer, TimeSpan.FromMilliseconds(++n % 100));
            }
        });
        await LatencyReachesAsync(a, b.LocalPeer, null);
        await a.DisposeAsync().AsTask().WaitAsync(Wait);
        store.RecordLatency(b.LocalPeer, TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await sampling.WaitAsync(Wait);

        await completed.WaitAsync(Wait);
        await a.Completion.WaitAsync(Wait);
    }

    [Fact]
    public async Task PeerStatuses_ObserverWritingThePeerstore_WhileSamplesArrive_DoesNotDeadlock()
    {
        // Without identify, which would write the peer's protocols too.
        await using var a = await SwarmKit.StartAsync(x => NoBackoff(x).WithoutIdentify());
        await using var b = await SwarmKit.StartAsync();
        SwarmKit.Introduce(a, b);

        // Rows are published under the network's lock and peer store changes under the peer
        // store's: an observer of one that writes to the other must not deadlock with samples.
        using var observer = a.PeerStatuses.Connect().Subscribe(set =>
        {
            foreach (var change in set)
            {
                a.Peerstore.SetProtocols(change.Key, [change.Current.Connectedness.ToString()]);
            }
        });
        using var stop = new CancellationTokenSource();
        var sampling = Task.Run(() =>
        {
            int n = 0;
            while (!stop.IsCancellationRequested)
            {
                a.Peerstore.RecordLatency(b.LocalPeer, TimeSpan.FromMilliseconds(++n % 50));
            }
        });

        for (int i = 0; i < 20; i++)
        {
            await a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait);
            await a.ClosePeerAsync(b.LocalPeer).WaitAsync(Wait);
        }

        await stop.CancelAsync();
        await sampling.WaitAsync(Wait);
        await a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait);
        await LatencyReachesAsync(a, b.LocalPeer, a.Peerstore.PeerInfo(b.LocalPeer)!.Latency);
        Assert.Equal(["Connected"], a.Peerstore.PeerInfo(b.LocalPeer)!.Protocols);
    }

    [Fact]
    public async Task PeerStatuses_ManyFailedDials_KeepAtMostTheBoundOfNotConnectedRows()
    {
        await using var a = await SwarmKit.StartAsync(x => NoBackoff(x).WithOptions(o => o with { MaxNotConnectedPeerStatuses = 3 }));
        await using var b = await SwarmKit.StartAsync();
        await SwarmKit.ConnectAsync(a, b);
        var removed = new List<PeerId>();
        using var subscription = a.PeerStatuses.Connect().Subscribe(set =>
        {
            lock (removed)
            {
                removed.AddRange(set.Where(c => c.Reason == ChangeReason.Remove).Select(c => c.Key));
            }
        });

        // Peers with no known address fail at once and become CannotConnect.
        var unreachable = Enumerable.Range(0, 5).Select(_ => PeerId.FromPublicKey(PrivateKey.Generate().PublicKey)).ToArray();
        foreach (var peer in unreachable)
        {
            await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(peer).WaitAsync(Wait));
        }

        // The connected peer is kept however many rows failed after it; of the failed ones, the
        // newest three remain and the two oldest were removed (published as Removes).
        Assert.Equal(4, a.PeerStatuses.Count);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
        Assert.All(unreachable[2..], p => Assert.Equal(Connectedness.CannotConnect, a.Connectedness(p)));
        Assert.All(unreachable[..2], p => Assert.Equal(Connectedness.NotConnected, a.Connectedness(p)));
        lock (removed)
        {
            Assert.Equal(unreachable[..2], removed);
        }

        // A peer whose connections close joins the not-connected rows as the newest one.
        await a.ClosePeerAsync(b.LocalPeer).WaitAsync(Wait);
        Assert.Equal(3, a.PeerStatuses.Count);
        Assert.Equal(Connectedness.CanConnect, a.Connectedness(b.LocalPeer));
        Assert.Equal(Connectedness.NotConnected, a.Connectedness(unreachable[2]));

        // A failed row that fails again is renewed, not duplicated: it becomes the newest.
        await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(unreachable[3]).WaitAsync(Wait));
        await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(unreachable[0]).WaitAsync(Wait));
        Assert.Equal(
            new[] { b.LocalPeer, unreachable[3], unreachable[0] }.Order(),
            a.PeerStatuses.Keys.Order());
    }

    /// <summary>Waits until the peer's row shows <paramref name="latency"/> (any latency when null).</summary>
    private static Task<Change<PeerId, PeerStatus>> LatencyReachesAsync(INetwork network, PeerId peer, TimeSpan? latency) =>
        network.PeerStatuses.Watch(peer)
            .FirstAsync(c => c.Reason != ChangeReason.Remove && (latency is null ? c.Current.Latency is not null : c.Current.Latency == latency))
            .ToTask()
            .WaitAsync(Wait);
}
