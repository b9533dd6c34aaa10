using System.Reactive.Linq;
using Rx.Network.Identity;
using Microsoft.Reactive.Testing;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

public class MockNetworkTests
{
    [Fact]
    public async Task GenPeer_SeededNetworks_GiveTheSamePeerIds()
    {
        await using var first = Quiet(seed: 7);
        await using var second = Quiet(seed: 7);
        await using var other = Quiet(seed: 8);

        var ids = Enumerable.Range(0, 3).Select(_ => first.GenPeer().LocalPeer).ToArray();

        Assert.Equal(ids, Enumerable.Range(0, 3).Select(_ => second.GenPeer().LocalPeer));
        Assert.NotEqual(ids[0], other.GenPeer().LocalPeer);
        Assert.Equal(3, first.Peers.Count);
    }

    [Fact]
    public async Task GenPeer_ListensOnItsMemoryAddress()
    {
        await using var net = Quiet();
        var peer = net.GenPeer();

        Assert.Equal($"/memory/{peer.LocalPeer}", Assert.Single(peer.ListenAddresses).ToString());
        Assert.Equal(peer.ListenAddresses, peer.InterfaceListenAddresses());
        Assert.Same(peer, net.FindPeer(peer.LocalPeer));
    }

    [Fact]
    public async Task AddPeer_SameKeyTwice_Throws()
    {
        await using var net = Quiet();
        using var key = PrivateKey.Generate();
        net.AddPeer(key);

        Assert.Throws<ArgumentException>(() => net.AddPeer(key));
    }

    [Fact]
    public async Task ConnectPeers_Linked_ConnectsBothEndsAndPublishesConnected()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(10) });
        var (a, b, _) = await TwoPeersAsync(net, connect: false);
        using var log = Record(net, a, b);

        var connection = await net.ConnectPeersAsync(a, b);

        Assert.Equal(b.LocalPeer, connection.RemotePeer);
        Assert.Equal(Direction.Outbound, connection.Direction);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
        Assert.Equal(Connectedness.Connected, b.Connectedness(a.LocalPeer));
        Assert.Equal(Direction.Inbound, Assert.Single(b.ConnectionsToPeer(a.LocalPeer)).Direction);
        Assert.Equal([b.LocalPeer], a.Peers);
        Assert.Equal(1, a.PeerStatuses.Items.Single().ConnectionCount);

        // The listener hears the dial after one latency, the dialer the acceptance after two.
        Assert.Equal(
            [$"{Ms(10).Ticks} 1 Connected 0 Inbound", $"{Ms(20).Ticks} 0 Connected 1 Outbound"],
            log.Lines.Where(l => !l.Contains("Listen", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DialPeer_ConcurrentDials_ShareOneConnection()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(5) });
        var (a, b, _) = await TwoPeersAsync(net, connect: false);

        var both = await net.RunAsync(() => Task.WhenAll(a.DialPeerAsync(b.LocalPeer), a.DialPeerAsync(b.LocalPeer)));

        Assert.Same(both[0], both[1]);
        Assert.Single(a.Connections);
    }

    [Fact]
    public async Task DialPeer_Unlinked_FailsAndMarksCannotConnect()
    {
        await using var net = Quiet();
        var a = net.GenPeer();
        var b = net.GenPeer();

        var error = await Assert.ThrowsAsync<DialException>(() => net.RunAsync(() => a.DialPeerAsync(b.LocalPeer)));

        Assert.IsType<MockLinkException>(Assert.Single(error.AddressErrors).Value);
        Assert.Equal(Connectedness.CannotConnect, a.Connectedness(b.LocalPeer));
    }

    [Fact]
    public async Task DialPeer_Self_Throws()
    {
        await using var net = Quiet();
        var a = net.GenPeer();

        await Assert.ThrowsAsync<ArgumentException>(() => net.RunAsync(() => a.DialPeerAsync(a.LocalPeer)));
    }

    [Fact]
    public async Task NewStream_Echo_RoundTripsBytesAndHalfCloses()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(3) });
        var (a, b, _) = await TwoPeersAsync(net);
        using var _ = ServeEcho(b);
        var payload = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();

        var echoed = await net.RunAsync(async () =>
        {
            var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]);
            var reading = ReadToEndAsync(stream);
            await stream.WriteAsync(payload);
            await stream.CloseWriteAsync();
            var result = await reading;
            await stream.Completion;
            return result;
        });

        Assert.Equal(payload, echoed);
    }

    [Fact]
    public async Task NewStream_UnsupportedProtocol_FailsWithNegotiationException()
    {
        await using var net = Quiet();
        var (a, b, _) = await TwoPeersAsync(net);

        var error = await Assert.ThrowsAsync<NegotiationException>(() => net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, ["/nobody/1.0.0", "/none/2.0.0"])));

        Assert.Equal(NegotiationFailure.NoCommonProtocol, error.Failure);
    }

    [Fact]
    public async Task NewStream_PicksTheFirstProtocolTheRemoteServes()
    {
        await using var net = Quiet();
        var (a, b, _) = await TwoPeersAsync(net);
        using var _ = ServeEcho(b);

        var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, ["/unknown/1.0.0", Echo]));

        Assert.Equal(Echo, stream.Protocol);
        Assert.Equal(Direction.Outbound, stream.Direction);
    }

    [Fact]
    public async Task Streams_Observable_ReceivesInboundStreams()
    {
        await using var net = Quiet();
        var (a, b, _) = await TwoPeersAsync(net);
        var inbound = new List<IStream>();
        using var subscription = b.Streams("/observed/1.0.0").Subscribe(inbound.Add);

        await net.RunAsync(async () =>
        {
            var stream = await a.NewStreamAsync(b.LocalPeer, ["/observed/1.0.0"]);
            await stream.WriteAsync(new byte[] { 1, 2, 3 });
            return stream;
        });
        var received = Assert.Single(inbound);
        var buffer = new byte[3];
        await net.RunAsync(async () =>
        {
            await ReadExactlyAsync(received, buffer);
            return 0;
        });

        Assert.Equal([1, 2, 3], buffer);
        Assert.Equal(Direction.Inbound, received.Direction);
    }

    [Fact]
    public async Task StreamHandler_WithShutdownToken_ServesThroughAsPipe_AndTheTokenIsCancelledAtDispose()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(1) });
        var (a, b, _) = await TwoPeersAsync(net);
        var tokens = new List<CancellationToken>();
        using var onConnection = b.SetConnectionHandler((_, shutdown) => tokens.Add(shutdown));
        using var handler = b.SetStreamHandler("/pipe/1.0.0", async (stream, shutdown) =>
        {
            tokens.Add(shutdown);
            var pipe = stream.AsPipe();
            while (true)
            {
                var result = await pipe.Input.ReadAsync(shutdown);
                foreach (var segment in result.Buffer)
                {
                    await pipe.Output.WriteAsync(segment, shutdown);
                }

                pipe.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        });

        var echoed = await net.RunAsync(async () =>
        {
            var stream = await a.NewStreamAsync(b.LocalPeer, ["/pipe/1.0.0"]);
            await stream.WriteAsync(new byte[] { 1, 2, 3 });
            await stream.CloseWriteAsync();
            return await ReadToEndAsync(stream);
        });

        Assert.Equal([1, 2, 3], echoed);
        Assert.NotEmpty(tokens);
        Assert.All(tokens, t => Assert.False(t.IsCancellationRequested));
        await net.RunAsync(async () =>
        {
            await b.DisposeAsync();
            return 0;
        });
        Assert.All(tokens, t => Assert.True(t.IsCancellationRequested));
    }

    [Fact]
    public async Task Reset_FailsBothEnds()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(1) });
        var (a, b, _) = await TwoPeersAsync(net);
        IStream? remote = null;
        b.SetStreamHandler("/hold/1.0.0", s =>
        {
            remote = s;
            return s.Completion.ContinueWith(_ => { }, TaskScheduler.Default);
        });

        var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, ["/hold/1.0.0"]));
        stream.Reset();
        await net.AdvanceByAsync(Ms(5));

        var local = await Assert.ThrowsAsync<StreamResetException>(() => stream.Completion);
        var far = await Assert.ThrowsAsync<StreamResetException>(() => remote!.Completion);
        Assert.False(local.Remote);
        Assert.True(far.Remote);
        await Assert.ThrowsAsync<StreamResetException>(() => net.RunAsync(async () => await stream.ReadAsync(new byte[1])));
    }

    [Fact]
    public async Task Events_StreamEventsArriveBetweenConnectedAndDisconnected()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(2) });
        var (a, b, _) = await TwoPeersAsync(net, connect: false);
        using var _ = ServeEcho(b);
        using var log = Record(net, a, b);

        await net.RunAsync(async () =>
        {
            var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]);
            await stream.WriteAsync(new byte[10]);
            await stream.CloseWriteAsync();
            await ReadToEndAsync(stream);
            await stream.Completion;
            await a.ClosePeerAsync(b.LocalPeer);
            return 0;
        });
        await net.AdvanceByAsync(Ms(10));

        foreach (int peer in new[] { 0, 1 })
        {
            var mine = log.Lines.Select(l => l.Split(' ')).Where(p => p[1] == peer.ToString()).Select(p => p[2]).Where(e => !e.StartsWith("Listen", StringComparison.Ordinal)).ToArray();
            Assert.Equal(["Connected", "StreamOpened", "StreamClosed", "Disconnected"], mine);
        }

        // A graceful close leaves the peer reachable.
        Assert.Equal(Connectedness.CanConnect, a.Connectedness(b.LocalPeer));
        Assert.Equal(Connectedness.CanConnect, b.Connectedness(a.LocalPeer));
    }

    [Fact]
    public async Task Events_ThrowingSubscriber_IsDetachedWithoutHarm()
    {
        await using var net = Quiet();
        var (a, b, _) = await TwoPeersAsync(net, connect: false);
        int calls = 0;
        using var bad = a.Events.Subscribe(_ =>
        {
            calls++;
            throw new InvalidOperationException("subscriber bug");
        });
        var good = new List<NetworkEvent>();
        using var fine = a.Events.Subscribe(good.Add);

        await net.ConnectPeersAsync(a, b);

        Assert.Equal(1, calls);
        Assert.Contains(good, e => e is Connected);
    }

    [Fact]
    public async Task Notify_DeliversTheSameEvents()
    {
        await using var net = Quiet();
        var (a, b, _) = await TwoPeersAsync(net, connect: false);
        var notifiee = new RecordingNotifiee();
        using var registration = a.Notify(notifiee);

        await net.ConnectPeersAsync(a, b);

        Assert.Equal([b.LocalPeer], notifiee.Connected);
    }

    [Fact]
    public async Task PeerStatuses_FollowConnectedness()
    {
        await using var net = Quiet();
        var (a, b, _) = await TwoPeersAsync(net, connect: false);
        var seen = new List<Connectedness>();
        using var subscription = a.PeerStatuses.Connect().Subscribe(changes => seen.AddRange(changes.Select(c => c.Current.Connectedness)));

        await net.ConnectPeersAsync(a, b);
        await net.DisconnectPeersAsync(a, b);

        Assert.Equal([Connectedness.Connected, Connectedness.CanConnect], seen);
    }

    [Fact]
    public async Task Dispose_ClosesConnectionsAndCompletesEvents()
    {
        var net = Quiet();
        var (a, b, _) = await TwoPeersAsync(net);
        bool completed = false;
        using var subscription = a.Events.Subscribe(_ => { }, () => completed = true);

        await net.DisposeAsync();

        Assert.True(completed);
        Assert.True(a.Completion.IsCompleted);
        Assert.Empty(b.Connections);
        Assert.Throws<ObjectDisposedException>(() => net.GenPeer());
    }

    [Fact]
    public async Task Arguments_AreChecked()
    {
        await using var net = Quiet();
        var a = net.GenPeer();
        await using var other = Quiet();
        var stranger = other.GenPeer();

        Assert.Throws<ArgumentNullException>(() => net.AddPeer(null!));
        Assert.Throws<ArgumentNullException>(() => net.LinkPeers(null!, a));
        Assert.Throws<ArgumentException>(() => net.LinkPeers(a, a));
        Assert.Throws<ArgumentException>(() => net.LinkPeers(a, stranger));
        Assert.Throws<ArgumentNullException>(() => net.SetLinkDefaults(null!));
        Assert.Throws<ArgumentNullException>(() => net.Partition(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.FullMeshLinked(-1));
        await Assert.ThrowsAsync<ArgumentNullException>(() => net.RunAsync((Func<Task<int>>)null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => net.AdvanceByAsync(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public async Task AdvanceBy_RealTime_Throws()
    {
        await using var net = new MockNetwork();

        await Assert.ThrowsAsync<InvalidOperationException>(() => net.AdvanceByAsync(Ms(1)));
        Assert.False(net.IsVirtual);
    }

    [Fact]
    public async Task FullMeshConnected_ConnectsEveryPair()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(1) });

        var peers = await net.FullMeshConnectedAsync(5);

        Assert.All(peers, p => Assert.Equal(4, p.Peers.Count));
        Assert.Equal(10, net.Links.Count);
    }

    private sealed class RecordingNotifiee : INotifiee
    {
        public List<PeerId> Connected { get; } = [];

        public void Listen(INetwork network, Rx.Network.Addressing.Multiaddr address)
        {
        }

        public void ListenClose(INetwork network, Rx.Network.Addressing.Multiaddr address)
        {
        }

        void INotifiee.Connected(INetwork network, IConnection connection) => Connected.Add(connection.RemotePeer);

        public void Disconnected(INetwork network, IConnection connection)
        {
        }

        public void OpenedStream(INetwork network, IStream stream)
        {
        }

        public void ClosedStream(INetwork network, IStream stream)
        {
        }
    }
}
