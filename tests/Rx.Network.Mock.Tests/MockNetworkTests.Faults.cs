using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

public class MockNetworkFaultTests
{
    [Fact]
    public async Task Unlink_MidStream_FailsStreamsFiresDisconnectedAndHealingReconnects()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(5) });
        var (a, b, _) = await TwoPeersAsync(net);
        using var _ = ServeEcho(b);
        using var log = Record(net, a, b);
        var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, [Echo]));
        var reading = net.RunAsync(async () =>
        {
            await stream.WriteAsync(new byte[100]);
            return 0;
        });
        await reading;
        var pendingRead = stream.ReadAsync(new byte[1000]).AsTask();

        Assert.True(net.UnlinkPeers(a, b));

        await Assert.ThrowsAsync<MockLinkException>(() => pendingRead);
        await Assert.ThrowsAsync<MockLinkException>(() => stream.Completion);
        Assert.Equal(Connectedness.NotConnected, a.Connectedness(b.LocalPeer));
        Assert.Equal(Connectedness.NotConnected, b.Connectedness(a.LocalPeer));
        Assert.Contains(log.Lines, l => l.Contains(" 0 Disconnected 1 MockLinkException", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains(" 1 Disconnected 0 MockLinkException", StringComparison.Ordinal));

        await Assert.ThrowsAsync<DialException>(() => net.RunAsync(() => a.DialPeerAsync(b.LocalPeer)));
        Assert.Equal(Connectedness.CannotConnect, a.Connectedness(b.LocalPeer));

        net.LinkPeers(a, b);
        await net.ConnectPeersAsync(a, b);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
    }

    [Fact]
    public async Task LinkDown_FailsConnectionsUntilUpAgain()
    {
        await using var net = Quiet();
        var (a, b, link) = await TwoPeersAsync(net);
        var connection = Assert.Single(a.Connections);

        link.Options = link.Options with { Down = true };

        await Assert.ThrowsAsync<MockLinkException>(() => connection.Completion);
        await Assert.ThrowsAsync<DialException>(() => net.ConnectPeersAsync(a, b));

        link.Options = link.Options with { Down = false };
        await net.ConnectPeersAsync(a, b);
        Assert.Single(a.Connections);
    }

    [Fact]
    public async Task Partition_CutsAcrossGroupsOnlyAndHealAllowsRedialing()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(1) });
        var peers = await net.FullMeshConnectedAsync(4);

        net.Partition([peers[0], peers[1]], [peers[2], peers[3]]);

        Assert.Equal([peers[1].LocalPeer], peers[0].Peers);
        Assert.Equal([peers[3].LocalPeer], peers[2].Peers);
        await Assert.ThrowsAsync<DialException>(() => net.ConnectPeersAsync(peers[0], peers[2]));

        net.Heal();
        await net.ConnectPeersAsync(peers[0], peers[2]);
        Assert.Equal(Connectedness.Connected, peers[2].Connectedness(peers[0].LocalPeer));
    }

    [Fact]
    public async Task Partition_PeerInTwoGroups_Throws()
    {
        await using var net = Quiet();
        var a = net.GenPeer();
        var b = net.GenPeer();

        Assert.Throws<ArgumentException>(() => net.Partition([a, b], [b]));
    }

    [Fact]
    public async Task DropRule_OnDials_FailsTheDial()
    {
        await using var net = Quiet();
        var (a, b, link) = await TwoPeersAsync(net, connect: false);
        using var rule = link.AddRule(frame => frame.Kind == LinkFrameKind.Dial ? LinkVerdict.Drop : LinkVerdict.Pass);

        await Assert.ThrowsAsync<DialException>(() => net.ConnectPeersAsync(a, b));

        rule.Dispose();
        await net.ConnectPeersAsync(a, b);
    }

    [Fact]
    public async Task DropRule_OnData_ResetsTheStreamAtBothEnds()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(2) });
        var (a, b, link) = await TwoPeersAsync(net);
        IStream? remote = null;
        b.SetStreamHandler("/lossy/1.0.0", s =>
        {
            remote = s;
            return s.Completion.ContinueWith(_ => { }, TaskScheduler.Default);
        });
        var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, ["/lossy/1.0.0"]));
        using var rule = link.AddRule(frame => frame.Kind == LinkFrameKind.Data && frame.Protocol == "/lossy/1.0.0" ? LinkVerdict.Drop : LinkVerdict.Pass);

        await net.RunAsync(async () =>
        {
            await stream.WriteAsync(new byte[10]);
            return 0;
        });
        await net.AdvanceByAsync(Ms(10));

        await Assert.ThrowsAsync<StreamResetException>(() => stream.Completion);
        var far = await Assert.ThrowsAsync<StreamResetException>(() => remote!.Completion);
        Assert.True(far.Remote);

        // Only that stream: the connection and other protocols carry on.
        Assert.Single(a.Connections);
    }

    [Fact]
    public async Task DropRule_OnOpen_FailsTheOpening()
    {
        await using var net = Quiet();
        var (a, b, link) = await TwoPeersAsync(net);
        using var _ = ServeEcho(b);
        using var rule = link.AddRule(frame => frame.Kind == LinkFrameKind.Open ? LinkVerdict.Drop : LinkVerdict.Pass);

        await Assert.ThrowsAsync<StreamResetException>(() => net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, [Echo])));
    }

    [Fact]
    public async Task DelayRule_DelaysMatchingFramesAndWhatFollowsThem()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(10) });
        var (a, b, link) = await TwoPeersAsync(net);
        DateTimeOffset? readAt = null;
        b.SetStreamHandler("/slow/1.0.0", async s =>
        {
            await ReadExactlyAsync(s, new byte[1]);
            readAt = net.Now;
        });
        var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, ["/slow/1.0.0"]));
        using var rule = link.AddRule(frame => frame.Kind == LinkFrameKind.Data ? LinkVerdict.Delay(Ms(90)) : LinkVerdict.Pass);
        var sent = net.Now;

        await net.RunAsync(async () =>
        {
            await stream.WriteAsync(new byte[1]);
            return 0;
        });
        await net.AdvanceByAsync(Ms(200));

        Assert.Equal(sent + Ms(100), readAt);
    }

    [Fact]
    public void LinkVerdict_Delay_RejectsNegative() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LinkVerdict.Delay(TimeSpan.FromTicks(-1)));
}
