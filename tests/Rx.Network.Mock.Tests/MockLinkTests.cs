using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests;

public sealed class MockLinkTests
{
    [Fact]
    public async Task Options_RejectsNullAndUseAfterRemoval()
    {
        await using var net = new MockNetwork(new TestScheduler());
        var a = net.GenPeer();
        var b = net.GenPeer();
        var link = net.LinkPeers(a.LocalPeer, b.LocalPeer);

        Assert.Throws<ArgumentNullException>(() => link.Options = null!);
        net.UnlinkPeers(a.LocalPeer, b.LocalPeer);

        Assert.True(link.IsRemoved);
        Assert.Throws<InvalidOperationException>(() => link.Options = LinkOptions.Default);
    }

    [Fact]
    public async Task ToString_NamesBothEnds()
    {
        await using var net = new MockNetwork(new TestScheduler());
        var a = net.GenPeer();
        var b = net.GenPeer();

        var link = net.LinkPeers(b.LocalPeer, a.LocalPeer);

        Assert.Equal($"{a.LocalPeer} <-> {b.LocalPeer}", link.ToString());
    }

    [Fact]
    public async Task UnlinkPeers_ThenLinkPeersMakesANewLink()
    {
        await using var net = new MockNetwork(new TestScheduler());
        var a = net.GenPeer();
        var b = net.GenPeer();
        var first = net.LinkPeers(a.LocalPeer, b.LocalPeer);

        net.UnlinkPeers(a.LocalPeer, b.LocalPeer);
        var second = net.LinkPeers(a.LocalPeer, b.LocalPeer);

        Assert.NotSame(first, second);
        Assert.False(second.IsRemoved);
        Assert.Equal([second], net.Links);
    }

    [Fact]
    public async Task HeldCount_CountsWhatWaitsForTheLink()
    {
        var (net, a, b, link) = await MockKit.TwoPeersAsync(new LinkOptions { Latency = MockKit.Ms(10) });
        await using var _net = net;

        link.Options = link.Options with { Down = true };
        var ping = Task.Run(() => Protocols.PingService.PingAsync(a, b.LocalPeer, net.TimeProvider));
        await net.AdvanceByAsync(MockKit.Ms(500));

        Assert.True(link.HeldCount > 0);
        Assert.False(ping.IsCompleted);

        link.Options = link.Options with { Down = false };
        Assert.Equal(0, link.HeldCount);
        await net.RunAsync(() => ping);
    }
}
