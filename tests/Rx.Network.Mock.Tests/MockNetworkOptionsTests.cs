using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests;

public sealed class MockNetworkOptionsTests
{
    [Fact]
    public void Default_IsUnseededAndFast()
    {
        var options = MockNetworkOptions.Default;

        Assert.Null(options.Seed);
        Assert.Equal(MockNetworkMode.Fast, options.Mode);
        Assert.Same(LinkOptions.Default, options.DefaultLink);
        Assert.Null(options.ConfigurePeer);
        Assert.Equal(4 * 1024 * 1024, options.ConnectionBufferSize);
        Assert.Equal(TimeSpan.FromMinutes(10), options.OperationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.IdleTimeout);
        Assert.Same(TimeProvider.System, options.WallClock);
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => new MockNetworkOptions { DefaultLink = null! });
        Assert.Throws<ArgumentNullException>(() => new MockNetworkOptions { WallClock = null! });
        Assert.Throws<ArgumentOutOfRangeException>(() => new MockNetworkOptions { ConnectionBufferSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new MockNetworkOptions { OperationTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new MockNetworkOptions { IdleTimeout = TimeSpan.FromSeconds(-1) });
        Assert.Equal(Timeout.InfiniteTimeSpan, new MockNetworkOptions { OperationTimeout = Timeout.InfiniteTimeSpan }.OperationTimeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, new MockNetworkOptions { IdleTimeout = Timeout.InfiniteTimeSpan }.IdleTimeout);
    }

    [Fact]
    public async Task ConfigurePeer_AdjustsEveryPeer()
    {
        var options = new MockNetworkOptions { ConfigurePeer = builder => builder.WithoutPing() };
        await using var net = new MockNetwork(new TestScheduler(), options);
        var a = net.GenPeer();
        var b = net.GenPeer();
        net.LinkPeers(a.LocalPeer, b.LocalPeer);
        await net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer);

        await Assert.ThrowsAsync<NegotiationException>(() => net.RunAsync(() => Protocols.PingService.PingAsync(a, b.LocalPeer, net.TimeProvider)));
    }

    [Fact]
    public async Task ConfigurePeer_CannotTakeTheClockAway()
    {
        var options = new MockNetworkOptions { ConfigurePeer = builder => builder.WithTimeProvider(TimeProvider.System) };
        await using var net = new MockNetwork(new TestScheduler(), options);
        var a = net.GenPeer();
        var b = net.GenPeer();
        net.LinkPeers(a.LocalPeer, b.LocalPeer, new LinkOptions { Latency = TimeSpan.FromSeconds(1) });
        await net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer);

        var rtt = await net.RunAsync(() => Protocols.PingService.PingAsync(a, b.LocalPeer, net.TimeProvider));

        Assert.Equal(TimeSpan.FromSeconds(2), rtt);
        Assert.Equal(TimeSpan.FromSeconds(2), a.Peerstore.PeerInfo(b.LocalPeer)?.Latency);
    }
}
