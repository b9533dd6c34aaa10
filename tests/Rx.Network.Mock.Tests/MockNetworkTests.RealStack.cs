using Rx.Network.Protocols;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>The real-stack mode: production peers (Noise, yamux, swarm) over mock links, in real time.</summary>
public class MockNetworkRealStackTests
{
    private static MockNetwork RealStack(LinkOptions? link = null) =>
        new(options: new MockNetworkOptions { Mode = MockNetworkMode.RealStack, Seed = 5, DefaultLink = link ?? new LinkOptions { Latency = Ms(1) } });

    [Fact]
    public async Task Peers_ConnectWithNoiseAndYamux_AndEchoBytes()
    {
        await using var net = RealStack();
        var (a, b, _) = await TwoPeersAsync(net);
        using var _ = ServeEcho(b);
        var payload = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 13)).ToArray();

        var echoed = await net.RunAsync(async () =>
        {
            var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]);
            var reading = ReadToEndAsync(stream);
            await stream.WriteAsync(payload);
            await stream.CloseWriteAsync();
            return await reading;
        }, timeout: Patience);

        var connection = Assert.Single(a.Connections);
        Assert.Equal("/noise", connection.Security);
        Assert.Equal("/yamux/1.0.0", connection.Muxer);
        Assert.Equal(payload, echoed);
    }

    [Fact]
    public async Task Ping_And_Identify_WorkOverTheRealStack()
    {
        await using var net = RealStack(new LinkOptions { Latency = Ms(5) });
        var (a, b, _) = await TwoPeersAsync(net);

        var rtt = await net.RunAsync(() => PingService.PingAsync(a, b.LocalPeer, net.TimeProvider), timeout: Patience);

        // In real time a link delivers a frame up to 1 ms before it is due (MockNetwork.IsDue: timers
        // fire late, never early, so the mock takes what is due within the millisecond): 2 ms per round trip.
        Assert.True(rtt >= Ms(8), $"rtt {rtt} is below two latencies");
    }

    [Fact]
    public async Task Unlink_FailsTheRealConnection()
    {
        await using var net = RealStack();
        var (a, b, _) = await TwoPeersAsync(net);
        var connection = Assert.Single(a.Connections);

        net.UnlinkPeers(a, b);

        await Assert.ThrowsAnyAsync<Exception>(() => connection.Completion.WaitAsync(Patience));
        await Assert.ThrowsAsync<DialException>(() => net.ConnectPeersAsync(a, b).WaitAsync(Patience));
    }
}
