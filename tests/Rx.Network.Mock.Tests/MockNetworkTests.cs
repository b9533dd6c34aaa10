using System.Net.Sockets;
using System.Reactive.Concurrency;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Mock.Testing;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>The mock network's peers, links and connections; time, faults and determinism are in the partial files.</summary>
public sealed partial class MockNetworkTests
{
    [Fact]
    public async Task Arguments_AreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => new MockNetwork(null, (MockNetworkOptions)null!));
        await using var net = new MockNetwork(new TestScheduler(), seed: 1);
        var a = net.GenPeer();
        using var strangerKey = PrivateKey.Generate();
        var stranger = PeerId.FromPublicKey(strangerKey.PublicKey);

        Assert.Throws<ArgumentNullException>(() => net.AddPeer(null!));
        Assert.Throws<ArgumentNullException>(() => net.GetNetwork(null!));
        Assert.Throws<ArgumentException>(() => net.GetNetwork(stranger));
        Assert.Throws<ArgumentNullException>(() => net.LinkPeers(null!, a.LocalPeer));
        Assert.Throws<ArgumentException>(() => net.LinkPeers(a.LocalPeer, stranger));
        Assert.Throws<ArgumentException>(() => net.LinkPeers(a.LocalPeer, a.LocalPeer));
        Assert.Throws<ArgumentException>(() => net.UnlinkPeers(a.LocalPeer, stranger));
        Assert.Throws<ArgumentException>(() => net.GetLink(stranger, a.LocalPeer));
        Assert.Throws<ArgumentNullException>(() => net.SetLinkDefaults(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => net.ConnectPeersAsync(a.LocalPeer, a.LocalPeer));
        await Assert.ThrowsAsync<ArgumentException>(() => net.DisconnectPeersAsync(a.LocalPeer, stranger));
        await Assert.ThrowsAsync<ArgumentNullException>(() => net.RunAsync((Func<Task>)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => net.RunAsync((Func<Task<int>>)null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => net.AdvanceByAsync(TimeSpan.FromTicks(-1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => net.AdvanceToAsync(net.Now - TimeSpan.FromTicks(1)));
    }

    [Fact]
    public async Task Constructor_DefaultsToRealTime()
    {
        await using var net = new MockNetwork();

        Assert.Same(DefaultScheduler.Instance, net.Scheduler);
        Assert.False(net.IsVirtualTime);
        Assert.Same(MockNetworkOptions.Default.DefaultLink, net.Options.DefaultLink);
        await Assert.ThrowsAsync<InvalidOperationException>(() => net.AdvanceByAsync(Ms(1)));
    }

    [Fact]
    public async Task GenPeer_ListensOnItsMemoryAddress()
    {
        await using var net = new MockNetwork(new TestScheduler());
        var a = net.GenPeer();
        var b = await net.GenPeerAsync();

        Assert.Equal([a.LocalPeer, b.LocalPeer], net.Peers);
        Assert.Equal(new[] { a, b }, net.Networks);
        Assert.Same(b, net.GetNetwork(b.LocalPeer));
        Assert.Equal([Multiaddr.Parse($"/memory/{a.LocalPeer}")], a.ListenAddresses);
        Assert.NotEqual(a.LocalPeer, b.LocalPeer);
    }

    [Fact]
    public async Task GenPeer_SameSeedGivesSamePeers()
    {
        await using var first = new MockNetwork(new TestScheduler(), seed: 7);
        await using var second = new MockNetwork(new TestScheduler(), seed: 7);
        await using var other = new MockNetwork(new TestScheduler(), seed: 8);

        var ids = new[] { first.GenPeer().LocalPeer, first.GenPeer().LocalPeer };

        Assert.Equal(ids, new[] { second.GenPeer().LocalPeer, second.GenPeer().LocalPeer });
        Assert.NotEqual(ids[0], other.GenPeer().LocalPeer);
    }

    [Fact]
    public async Task AddPeer_UsesTheKeyAndRefusesDuplicates()
    {
        using var key = PrivateKey.Generate();
        await using var net = new MockNetwork(new TestScheduler());

        var peer = net.AddPeer(key);

        Assert.Equal(PeerId.FromPublicKey(key.PublicKey), peer.LocalPeer);
        await Assert.ThrowsAsync<ArgumentException>(() => net.AddPeerAsync(key));
        Assert.Single(net.Peers);

        // The mock network does not own the key it was given.
        await net.DisposeAsync();
        Assert.NotEmpty(key.Sign([1, 2, 3]));
    }

    [Fact]
    public async Task LinkPeers_IsIdempotentAndTellsBothAddresses()
    {
        await using var net = new MockNetwork(new TestScheduler());
        var a = net.GenPeer();
        var b = net.GenPeer();
        var slow = new LinkOptions { Latency = Ms(30) };

        var link = net.LinkPeers(a.LocalPeer, b.LocalPeer);
        var again = net.LinkPeers(b.LocalPeer, a.LocalPeer, slow);

        Assert.Same(link, again);
        Assert.Same(slow, link.Options);
        Assert.Same(link, net.GetLink(b.LocalPeer, a.LocalPeer));
        Assert.Equal([link], net.Links);
        Assert.Equal(a.LocalPeer, link.A);
        Assert.Equal(b.LocalPeer, link.B);
        Assert.Contains(Multiaddr.Parse($"/memory/{b.LocalPeer}"), a.Peerstore.Addresses(b.LocalPeer));
        Assert.Contains(Multiaddr.Parse($"/memory/{a.LocalPeer}"), b.Peerstore.Addresses(a.LocalPeer));
    }

    [Fact]
    public async Task SetLinkDefaults_AppliesToLaterLinks()
    {
        await using var net = new MockNetwork(new TestScheduler());
        var a = net.GenPeer();
        var b = net.GenPeer();
        var c = net.GenPeer();
        var before = net.LinkPeers(a.LocalPeer, b.LocalPeer);
        var defaults = new LinkOptions { Latency = Ms(5) };

        net.SetLinkDefaults(defaults);
        net.LinkAll();

        Assert.Same(LinkOptions.Default, before.Options);
        Assert.Same(defaults, net.GetLink(a.LocalPeer, c.LocalPeer)!.Options);
        Assert.Same(defaults, net.GetLink(b.LocalPeer, c.LocalPeer)!.Options);
        Assert.Equal(3, net.Links.Count);
    }

    [Fact]
    public async Task ConnectPeersAsync_ConnectsBothSides()
    {
        var (net, a, b, _) = await TwoPeersAsync();
        await using var _net = net;

        var connection = a.ConnectionsToPeer(b.LocalPeer).Single();

        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
        Assert.Equal(Connectedness.Connected, b.Connectedness(a.LocalPeer));
        Assert.Equal(Direction.Outbound, connection.Direction);
        Assert.Equal("/plaintext/2.0.0", connection.Security);
        Assert.Equal("/yamux/1.0.0", connection.Muxer);
        Assert.Equal(Multiaddr.Parse($"/memory/{b.LocalPeer}"), connection.RemoteAddress);
        Assert.Equal(Direction.Inbound, b.ConnectionsToPeer(a.LocalPeer).Single().Direction);
    }

    [Fact]
    public async Task ConnectPeersAsync_SecureModeRunsNoise()
    {
        var (net, a, b, _) = await TwoPeersAsync(new LinkOptions { Latency = Ms(5) }, new MockNetworkOptions { Mode = MockNetworkMode.Secure });
        await using var _net = net;

        var rtt = await net.RunAsync(() => Protocols.PingService.PingAsync(a, b.LocalPeer, net.TimeProvider));

        Assert.Equal("/noise", a.ConnectionsToPeer(b.LocalPeer).Single().Security);
        Assert.Equal(Ms(10), rtt);
    }

    [Fact]
    public async Task ConnectPeersAsync_WithoutLinkIsRefused()
    {
        await using var net = new MockNetwork(new TestScheduler());
        var a = net.GenPeer();
        var b = net.GenPeer();

        var error = await Assert.ThrowsAsync<DialException>(() => net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer));

        var transport = Assert.IsType<TransportException>(Assert.Single(error.AddressErrors).Value);
        Assert.Equal(SocketError.ConnectionRefused, transport.SocketError);
        Assert.Equal(Connectedness.CannotConnect, a.Connectedness(b.LocalPeer));
        Assert.Empty(b.Connections);
    }

    [Fact]
    public async Task ConnectPeersAsync_OverDownLinkIsUnreachable()
    {
        var (net, a, b, link) = await TwoPeersAsync(new LinkOptions { Down = true }, connect: false);
        await using var _net = net;

        var error = await Assert.ThrowsAsync<DialException>(() => net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer));

        var transport = Assert.IsType<TransportException>(Assert.Single(error.AddressErrors).Value);
        Assert.Equal(SocketError.NetworkUnreachable, transport.SocketError);
        Assert.Equal(Connectedness.CannotConnect, a.Connectedness(b.LocalPeer));
        Assert.Equal(0, link.HeldCount);
    }

    [Fact]
    public async Task DisconnectPeersAsync_ClosesBothSidesGracefully()
    {
        var (net, a, b, _) = await TwoPeersAsync(new LinkOptions { Latency = Ms(10) });
        await using var _net = net;

        await net.DisconnectPeersAsync(a.LocalPeer, b.LocalPeer);

        Assert.Empty(a.Connections);
        Assert.Empty(b.Connections);
        Assert.Equal(Connectedness.CanConnect, a.Connectedness(b.LocalPeer));
        Assert.Equal(Connectedness.CanConnect, b.Connectedness(a.LocalPeer));
    }

    [Fact]
    public async Task ConnectAllButSelfAsync_ConnectsEveryPair()
    {
        await using var net = new MockNetwork(new TestScheduler(), seed: 3);
        var peers = Enumerable.Range(0, 5).Select(_ => net.GenPeer()).ToArray();
        net.SetLinkDefaults(new LinkOptions { Latency = Ms(2), Jitter = Ms(3) });
        net.LinkAll();

        await net.ConnectAllButSelfAsync();

        foreach (var peer in peers)
        {
            Assert.Equal(peers.Length - 1, peer.Peers.Count);
            Assert.All(peers.Where(p => p != peer), other => Assert.Equal(Connectedness.Connected, peer.Connectedness(other.LocalPeer)));
        }
    }

    [Fact]
    public async Task Peers_RunRealStreamHandlers()
    {
        var (net, a, b, _) = await TwoPeersAsync(new LinkOptions { Latency = Ms(1) });
        await using var _net = net;
        using var handler = b.SetStreamHandler("/echo/1.0.0", async stream =>
        {
            var buffer = new byte[64];
            while (await stream.ReadAsync(buffer) is var n and > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, n));
            }

            await stream.CloseWriteAsync();
        });

        var echo = await net.RunAsync(async () =>
        {
            await using var stream = await a.NewStreamAsync(b.LocalPeer, ["/echo/1.0.0"]);
            await stream.WriteAsync("ping"u8.ToArray());
            await stream.CloseWriteAsync();
            var reply = new byte[4];
            await ReadExactlyAsync(stream, reply);
            return reply;
        });

        Assert.Equal("ping"u8.ToArray(), echo);
    }

    [Fact]
    public async Task DisposeAsync_ShutsEveryPeerDown()
    {
        var (net, a, b, link) = await TwoPeersAsync(new LinkOptions { Latency = Ms(10) });

        await net.DisposeAsync();
        await net.DisposeAsync();

        await a.Completion.WaitAsync(Patience);
        await b.Completion.WaitAsync(Patience);
        Assert.True(link.IsRemoved);
        Assert.Throws<ObjectDisposedException>(() => net.GenPeer());
    }
}
