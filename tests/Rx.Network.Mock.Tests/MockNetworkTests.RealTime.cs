using Rx.Network.Protocols;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>The same API on the default scheduler: links delay in real time.</summary>
public sealed partial class MockNetworkTests
{
    [Fact]
    public async Task RealTime_PeersConnectAndPingAcrossADelayedLink()
    {
        await using var net = new MockNetwork();
        var a = await net.GenPeerAsync();
        var b = await net.GenPeerAsync();
        net.LinkPeers(a.LocalPeer, b.LocalPeer, new LinkOptions { Latency = Ms(5) });

        await net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer).WaitAsync(Patience);
        var rtt = await net.RunAsync(() => PingService.PingAsync(a, b.LocalPeer, net.TimeProvider)).WaitAsync(Patience);

        Assert.Equal(Connectedness.Connected, b.Connectedness(a.LocalPeer));
        Assert.InRange(rtt, Ms(10), Patience);
    }

    [Fact]
    public async Task RealTime_UnlinkedDialIsRefused()
    {
        await using var net = new MockNetwork();
        var a = net.GenPeer();
        var b = net.GenPeer();

        await Assert.ThrowsAsync<DialException>(() => net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer).WaitAsync(Patience));
        Assert.Equal(Connectedness.CannotConnect, a.Connectedness(b.LocalPeer));
    }
}
