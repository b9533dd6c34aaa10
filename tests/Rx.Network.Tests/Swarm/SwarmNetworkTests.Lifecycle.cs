using System.Diagnostics;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Addressing;
using Rx.Network.Muxing;

namespace Rx.Network.Tests.Swarm;

public partial class SwarmNetworkTests
{
    [Fact]
    public async Task DisposeAsync_ClosesListenersAndConnectionsGracefully_ThenCompletes()
    {
        await using var a = await SwarmKit.StartAsync();
        await using var b = await SwarmKit.StartAsync(listen: false);
        using var aEvents = new EventRecorder(a);
        var listen = a.ListenAddresses[0];
        var connection = await SwarmKit.ConnectAsync(b, a);
        var remoteSawClose = b.PeerStatuses.Watch(a.LocalPeer).FirstAsync(c => c.Current.Connectedness == Connectedness.CanConnect).ToTask();
        var peerTable = a.PeerStatuses.Connect().LastOrDefaultAsync().ToTask();

        await a.DisposeAsync().AsTask().WaitAsync(Wait);

        await a.Completion.WaitAsync(Wait);
        await aEvents.Ended;
        var events = aEvents.Events;
        Assert.Equal(listen, Assert.Single(events.OfType<ListenClosed>()).Address);

        // Our own Disconnected was published before the event stream completed.
        var disconnected = Assert.Single(events.OfType<Disconnected>());
        Assert.Null(disconnected.Error);
        Assert.Equal(b.LocalPeer, disconnected.Connection.RemotePeer);
        await peerTable.WaitAsync(Wait);

        await remoteSawClose.WaitAsync(Wait);
        await connection.Completion.WaitAsync(Wait);
        Assert.Equal(Connectedness.CanConnect, b.Connectedness(a.LocalPeer));
        Assert.Empty(a.Connections);
        Assert.Empty(a.ListenAddresses);

        await a.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => a.DialPeerAsync(b.LocalPeer));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => a.ListenAsync([SwarmKit.Loopback]));
    }

    [Fact]
    public async Task DisposeAsync_OpenStreamsGetTheShutdownTimeout_ThenAreAborted()
    {
        var grace = TimeSpan.FromMilliseconds(300);

        // The muxer would wait far longer: the network's shutdown timeout is what bounds the wait.
        await using var a = await SwarmKit.StartAsync(x => x
            .WithOptions(o => o with { ShutdownTimeout = grace })
            .WithYamux(new YamuxOptions { CloseTimeout = TimeSpan.FromMinutes(1) }));
        await using var b = await SwarmKit.StartAsync(listen: false);
        var handlerEnded = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.SetStreamHandler(Hold, async s =>
        {
            try
            {
                await HoldAsync(s);
                handlerEnded.TrySetResult(null);
            }
            catch (Exception e)
            {
                handlerEnded.TrySetResult(e);
            }
        });
        SwarmKit.Introduce(b, a);
        var stream = await b.NewStreamAsync(a.LocalPeer, [Hold]).WaitAsync(Wait);

        var elapsed = Stopwatch.StartNew();
        await a.DisposeAsync().AsTask().WaitAsync(Wait);
        Assert.InRange(elapsed.Elapsed, grace - TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5));

        Assert.IsAssignableFrom<IOException>(await handlerEnded.Task.WaitAsync(Wait));
        await Assert.ThrowsAnyAsync<IOException>(() => stream.Completion.WaitAsync(Wait));
    }

    [Fact]
    public async Task DisposeAsync_StreamsThatFinishInTime_EndCleanly()
    {
        await using var a = await SwarmKit.StartAsync(x => x.WithOptions(o => o with { ShutdownTimeout = TimeSpan.FromSeconds(10) }));
        await using var b = await SwarmKit.StartAsync(listen: false);
        a.SetStreamHandler(Hold, HoldAsync);
        SwarmKit.Introduce(b, a);
        var stream = await b.NewStreamAsync(a.LocalPeer, [Hold]).WaitAsync(Wait);

        var disposing = a.DisposeAsync().AsTask();

        // The stream still works during the graceful close; ending it lets the shutdown finish.
        await stream.WriteAsync(new byte[] { 1, 2, 3 }).AsTask().WaitAsync(Wait);
        await stream.CloseWriteAsync().AsTask().WaitAsync(Wait);
        Assert.Equal(0, await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(Wait));
        await disposing.WaitAsync(Wait);
        await stream.Completion.WaitAsync(Wait);
    }

    [Fact]
    public async Task DisposeAsync_DialInFlight_FailsWithObjectDisposed()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        await using var proxy = new GatedProxy(b.ListenAddresses[0]);
        a.Peerstore.AddAddresses(b.LocalPeer, [proxy.Address], Rx.Network.Peerstore.AddressTtl.Permanent);
        var dialing = a.DialPeerAsync(b.LocalPeer);
        await proxy.FirstAccepted;

        await a.DisposeAsync().AsTask().WaitAsync(Wait);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => dialing.WaitAsync(Wait));
    }

    [Fact]
    public async Task InterfaceListenAddresses_Wildcard_ExpandsToLoopbackWithTheBoundPort()
    {
        await using var a = await SwarmKit.StartAsync(x => x.ListenOn("/ip4/0.0.0.0/tcp/0", "/ip4/127.0.0.1/tcp/0"), listen: false);
        var wildcard = a.ListenAddresses.Single(x => x.ToString().StartsWith("/ip4/0.0.0.0/", StringComparison.Ordinal));
        var specific = a.ListenAddresses.Single(x => x.ToString().StartsWith("/ip4/127.0.0.1/", StringComparison.Ordinal));
        var port = SwarmKit.PortOf(wildcard);
        Assert.NotEqual(0, port);

        var expanded = a.InterfaceListenAddresses();
        Assert.Contains(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}"), expanded);
        Assert.Contains(specific, expanded);
        Assert.DoesNotContain(expanded, x => x.ToString().Contains("0.0.0.0", StringComparison.Ordinal));
        Assert.All(expanded, x => Assert.Equal("tcp", x.Components[^1].Protocol.Name));
        Assert.Equal(expanded.Count, expanded.Distinct().Count());

        // The expanded loopback address is dialable.
        await using var b = await SwarmKit.StartAsync(listen: false);
        b.Peerstore.AddAddresses(a.LocalPeer, [Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}")], Rx.Network.Peerstore.AddressTtl.Permanent);
        await b.DialPeerAsync(a.LocalPeer).WaitAsync(Wait);
    }

    [Fact]
    public async Task InterfaceListenAddresses_SpecificAddress_IsUnchanged()
    {
        await using var a = await SwarmKit.StartAsync();
        Assert.Equal(a.ListenAddresses, a.InterfaceListenAddresses());
    }
}
