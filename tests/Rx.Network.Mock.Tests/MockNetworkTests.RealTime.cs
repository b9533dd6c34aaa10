using Rx.Network.Protocols;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>Fast mode on a real-time scheduler: timers deliver, peers run on the thread pool.</summary>
public class MockNetworkRealTimeTests
{
    [Fact]
    public async Task FastMode_RealTime_EchoesPingsAndFailsOnUnlink()
    {
        await using var net = new MockNetwork(options: new MockNetworkOptions { DefaultLink = new LinkOptions { Latency = Ms(2) } });
        var (a, b, _) = await TwoPeersAsync(net);
        using var _ = ServeEcho(b);
        var payload = Enumerable.Range(0, 500_000).Select(i => (byte)(i * 3)).ToArray();

        var echoed = await net.RunAsync(
            async () =>
            {
                var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]);
                var reading = ReadToEndAsync(stream);
                await stream.WriteAsync(payload);
                await stream.CloseWriteAsync();
                return await reading;
            },
            timeout: Patience);
        var rtt = await net.RunAsync(() => PingService.PingAsync(a, b.LocalPeer, net.TimeProvider), timeout: Patience);

        Assert.Equal(payload, echoed);
        Assert.True(rtt >= Ms(4), $"rtt {rtt}");
        var connection = Assert.Single(a.Connections);
        net.UnlinkPeers(a, b);
        await Assert.ThrowsAsync<MockLinkException>(() => connection.Completion.WaitAsync(Patience));
    }
}
