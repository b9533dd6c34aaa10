using Rx.Network.Protocols;
using Microsoft.Reactive.Testing;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>
/// Issue #15's cases: ordinary service code with many concurrent callers, on a virtual clock. Every
/// library wait (request/reply's handler gate, a dial shared by many callers, identify) must resume
/// on the network's scheduler, so these run in exact virtual time and repeat under one seed.
/// </summary>
public class MockNetworkConcurrencyTests
{
    private const string Protocol = "/test/slow-echo/1.0.0";

    [Fact]
    public async Task HundredConcurrentRequests_MoreThanTheHandlerLimit_AllAnsweredAtExactTimes()
    {
        var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions { Seed = 3, DefaultLink = new LinkOptions { Latency = Ms(50) } });
        var (times, _) = await HundredRequestsAsync(net);

        // Dial (100 ms), open (100 ms), request out (50 ms): the first 64 handlers (the default
        // MaxConcurrentHandlers) start at 250 ms and take 100 ms; the other 36 wait for their slots,
        // which free at 350 ms. Each reply takes 50 ms back.
        Assert.Equal(100, times.Count);
        Assert.Equal(64, times.Count(t => t == Ms(400)));
        Assert.Equal(36, times.Count(t => t == Ms(500)));
        await net.DisposeAsync();
    }

    [Fact]
    public async Task HundredConcurrentRequests_SameSeed_SameEventLogAndTimesTwice()
    {
        var first = await RunAsync(seed: 5);
        var second = await RunAsync(seed: 5);

        Assert.True(first.Log.Count >= 400, $"only {first.Log.Count} events");
        Assert.Equal(first.Log, second.Log);
        Assert.Equal(first.Times, second.Times);

        static async Task<(IReadOnlyList<TimeSpan> Times, IReadOnlyList<string> Log)> RunAsync(int seed)
        {
            await using var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions
            {
                Seed = seed,
                DefaultLink = new LinkOptions { Latency = Ms(20), Jitter = Ms(10) },
            });
            return await HundredRequestsAsync(net);
        }
    }

    [Fact]
    public async Task TenConcurrentEchoStreams_ToAPeerNotYetConnected_ShareOneDial()
    {
        var net = Quiet(link: new LinkOptions { Latency = Ms(50) });
        var (a, b, _) = await TwoPeersAsync(net, connect: false);
        using var echo = ServeEcho(b);
        var start = net.Now;
        var finished = new List<TimeSpan>();

        var lengths = await net.RunAsync(() => Task.WhenAll(Enumerable.Range(1, 10).Select(async i =>
        {
            var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]);
            var reading = ReadToEndAsync(stream);
            await stream.WriteAsync(new byte[i * 1000]);
            await stream.CloseWriteAsync();
            var length = (await reading).Length;
            await stream.DisposeAsync();
            finished.Add(net.Now - start);
            return length;
        })));

        Assert.Equal(Enumerable.Range(1, 10).Select(i => i * 1000), lengths);

        // One dial, one stream opening, one echo: a round trip each, for every stream at once.
        Assert.All(finished, t => Assert.Equal(Ms(300), t));
        Assert.Single(a.ConnectionsToPeer(b.LocalPeer));
        await net.DisposeAsync();
    }

    [Fact]
    public async Task TwoConcurrentPings_ToAPeerNotYetConnected_BothMeasureTheRoundTrip()
    {
        var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions { Seed = 1, Identify = null, DefaultLink = new LinkOptions { Latency = Ms(50) } });
        var (a, b, _) = await TwoPeersAsync(net, connect: false);
        var start = net.Now;

        var rtts = await net.RunAsync(() => Task.WhenAll(
            PingService.PingAsync(a, b.LocalPeer, net.TimeProvider),
            PingService.PingAsync(a, b.LocalPeer, net.TimeProvider)));

        Assert.Equal([Ms(100), Ms(100)], rtts);

        // Dial, open, ping: three round trips of 100 ms.
        Assert.Equal(Ms(300), net.Now - start);
        Assert.Single(a.ConnectionsToPeer(b.LocalPeer));
        await net.DisposeAsync();
    }

    [Fact]
    public async Task ConcurrentIdentify_OfOneConnection_SharesOneExchange()
    {
        var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions
        {
            Seed = 1,
            Ping = false,
            Identify = new IdentifyOptions { IdentifyNewConnections = false },
            DefaultLink = new LinkOptions { Latency = Ms(50) },
        });
        var (a, b, _) = await TwoPeersAsync(net);
        var identify = IdentifyService.Of(a)!;
        var connection = a.ConnectionsToPeer(b.LocalPeer).Single();
        var start = net.Now;

        var results = await net.RunAsync(() => Task.WhenAll(Enumerable.Range(0, 5).Select(_ => identify.IdentifyAsync(connection))));

        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Equal(b.LocalPeer, results[0].Peer);

        // One round trip: the server answers as the stream arrives, so the answer comes back
        // with the opening's acknowledgement.
        Assert.Equal(Ms(100), net.Now - start);
        await net.DisposeAsync();
    }

    /// <summary>
    /// 100 requests from one peer to another not yet connected, whose handler waits 100 ms of
    /// virtual time: the completion times (from the start) in order, and the event log of both.
    /// </summary>
    private static async Task<(IReadOnlyList<TimeSpan> Times, IReadOnlyList<string> Log)> HundredRequestsAsync(MockNetwork net)
    {
        var client = net.GenPeer();
        var server = net.GenPeer();
        net.LinkPeers(client, server);
        using var log = Record(net, client, server);
        using var service = new RequestReplyService(server, Protocol, async (context, cancellationToken) =>
        {
            await Task.Delay(Ms(100), net.TimeProvider, cancellationToken);
            return context.Request;
        });
        using var caller = new RequestReplyService(client, Protocol);
        Assert.True(service.Options.MaxConcurrentHandlers < 100);
        var start = net.Now;
        var times = new List<TimeSpan>();

        await net.RunAsync(() => Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var reply = await caller.RequestAsync(server.LocalPeer, BitConverter.GetBytes(i));
            Assert.Equal(i, BitConverter.ToInt32(reply.Span));
            times.Add(net.Now - start);
        })));

        await net.RunUntilIdleAsync();
        return (times, log.Lines);
    }
}
