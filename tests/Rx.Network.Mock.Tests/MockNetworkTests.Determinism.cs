using Rx.Network.Protocols;
using Microsoft.Reactive.Testing;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

public class MockNetworkDeterminismTests
{
    [Fact]
    public async Task SameSeed_GivesTheSameEventLogTwice()
    {
        var first = await RunScenarioAsync(seed: 11);
        var second = await RunScenarioAsync(seed: 11);
        var other = await RunScenarioAsync(seed: 12);

        Assert.True(first.Count > 100, $"only {first.Count} events");
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    /// <summary>Six peers with jittery links, identify and ping on, request/reply and echo traffic, a cut link.</summary>
    private static async Task<IReadOnlyList<string>> RunScenarioAsync(int seed)
    {
        await using var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions
        {
            Seed = seed,
            DefaultLink = new LinkOptions { Latency = Ms(10), Jitter = Ms(8), Bandwidth = 2_000_000 },
        });
        var peers = Enumerable.Range(0, 6).Select(_ => net.GenPeer()).ToArray();
        using var log = Record(net, peers);
        var services = peers.Select(p => new RequestReplyService(p, "/kv/1.0.0")).ToArray();
        foreach (var service in services)
        {
            service.SetHandler((context, _) => Task.FromResult<ReadOnlyMemory<byte>>(context.Request.ToArray().Reverse().ToArray()));
        }

        foreach (var peer in peers)
        {
            ServeEcho(peer);
        }

        net.LinkAll();
        await net.ConnectAllButSelfAsync();
        await net.RunAsync(() => Task.WhenAll(
            from i in Enumerable.Range(0, peers.Length)
            from j in Enumerable.Range(0, peers.Length)
            where i != j
            select Traffic(i, j)));
        net.UnlinkPeers(peers[0], peers[1]);
        await net.AdvanceByAsync(TimeSpan.FromSeconds(1));
        foreach (var service in services)
        {
            service.Dispose();
        }

        return log.Lines;

        async Task Traffic(int i, int j)
        {
            var reply = await services[i].RequestAsync(peers[j].LocalPeer, new byte[] { (byte)i, (byte)j, 1 });
            Assert.Equal([1, (byte)j, (byte)i], reply.ToArray());
            await PingService.PingAsync(peers[i], peers[j].LocalPeer, net.TimeProvider);
            var stream = await peers[i].NewStreamAsync(peers[j].LocalPeer, [Echo]);
            var reading = ReadToEndAsync(stream);
            await stream.WriteAsync(new byte[(i + 1) * 10_000]);
            await stream.CloseWriteAsync();
            Assert.Equal((i + 1) * 10_000, (await reading).Length);
        }
    }
}
