using System.Threading.Channels;
using Rx.Network.Protocols;
using Microsoft.Reactive.Testing;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>
/// Issue #15 item 2: user code that leaves the driver (a contended <see cref="SemaphoreSlim"/>,
/// <c>Task.Run</c>, <c>ConfigureAwait(false)</c>, a channel) no longer breaks a virtual-time run:
/// the clock waits for it and it comes back.
/// </summary>
public class MockNetworkHopTests
{
    private const string Protocol = "/test/serial/1.0.0";

    [Fact]
    public async Task Handler_AwaitingAContendedSemaphore_AnswersEveryRequestAtExactTimes()
    {
        var net = Serial(seed: 7);
        var (client, server) = Pair(net);
        using var one = new SemaphoreSlim(1, 1);
        using var service = new RequestReplyService(server, Protocol, OneAtATime(net, one, viaTaskRun: false));

        var times = await TwentyRequestsAsync(net, client, server);

        // Requests arrive at 250 ms (dial, open, request); the handlers run one after another for
        // 10 ms each; each reply takes 50 ms back.
        Assert.Equal(Enumerable.Range(1, 20).Select(k => Ms(300 + 10 * k)), times);
        await net.DisposeAsync();
    }

    [Fact]
    public async Task Handler_AwaitingAContendedSemaphoreAndTaskRun_AnswersEveryRequest()
    {
        var net = Serial(seed: 8);
        var (client, server) = Pair(net);
        using var one = new SemaphoreSlim(1, 1);
        using var service = new RequestReplyService(server, Protocol, OneAtATime(net, one, viaTaskRun: true));

        var times = await TwentyRequestsAsync(net, client, server);

        // The clock waits for each Task.Run; the timing is exact but for the residual window of
        // ADR 0011 §4.4 (a pool thread preempted between taking the item and entering its
        // context), which can only make a reply later, never earlier.
        Assert.Equal(20, times.Count);
        Assert.All(times.Zip(Enumerable.Range(1, 20)), p => Assert.True(p.First >= Ms(300 + 10 * p.Second), $"{p.First} before {Ms(300 + 10 * p.Second)}"));
        await net.DisposeAsync();
    }

    [Fact]
    public async Task CodeOnThePool_ConfigureAwaitFalse_KeepsExactVirtualTiming()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(25) });
        var (a, b, _) = await TwoPeersAsync(net, connect: false);
        using var echo = ServeEcho(b);
        var start = net.Now;

        var elapsed = await net.RunAsync(async () =>
        {
            await Task.Run(() => Thread.SpinWait(10_000)).ConfigureAwait(false);

            // Now on a pool thread: the whole exchange runs from there.
            await Task.Delay(Ms(100), net.TimeProvider).ConfigureAwait(false);
            var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]).ConfigureAwait(false);
            await stream.WriteAsync(new byte[100]).ConfigureAwait(false);
            await stream.CloseWriteAsync().ConfigureAwait(false);
            var back = await ReadToEndAsync(stream).ConfigureAwait(false);
            Assert.Equal(100, back.Length);
            return net.Now - start;
        });

        // 100 ms of delay, then dial, open and echo: three round trips of 50 ms.
        Assert.Equal(Ms(250), elapsed);
    }

    [Fact]
    public async Task ChannelBetweenHandlerAndTaskRun_DeliversInVirtualTime()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(10) });
        var (a, b, _) = await TwoPeersAsync(net);
        var lines = Channel.CreateBounded<int>(1);
        var consumer = Task.Run(async () =>
        {
            int sum = 0;
            await foreach (var n in lines.Reader.ReadAllAsync())
            {
                sum += n;
            }

            return sum;
        });
        b.SetStreamHandler("/sum/1.0.0", async stream =>
        {
            var buffer = new byte[1];
            while (await stream.ReadAsync(buffer) > 0)
            {
                await lines.Writer.WriteAsync(buffer[0]);
            }

            lines.Writer.Complete();
        });
        var start = net.Now;

        var total = await net.RunAsync(async () =>
        {
            var stream = await a.NewStreamAsync(b.LocalPeer, ["/sum/1.0.0"]);
            for (byte i = 1; i <= 10; i++)
            {
                await stream.WriteAsync(new[] { i });
                await Task.Delay(Ms(5), net.TimeProvider);
            }

            await stream.CloseWriteAsync();
            return await consumer;
        });

        Assert.Equal(55, total);

        // Open (20 ms), ten writes 5 ms apart, the close arriving 10 ms after the last delay.
        Assert.Equal(Ms(20 + 50 + 10), net.Now - start);
    }

    [Fact]
    public async Task Clock_WaitsForTheRunsCodeElsewhere_ButForTheResidualWindow()
    {
        await using var net = Quiet();
        const int Rounds = 500;
        var early = 0;
        for (int round = 0; round < Rounds; round++)
        {
            await net.RunAsync(async () =>
            {
                // A timer due 1 ms from now fires if the clock moves while the Task.Run body runs.
                var timer = Task.Delay(Ms(1), net.TimeProvider);
                await Task.Run(() =>
                {
                    var before = net.Now;
                    Thread.SpinWait(2_000);
                    if (net.Now != before || timer.IsCompleted)
                    {
                        Interlocked.Increment(ref early);
                    }
                });
                await timer;
            });
        }

        // Without the driver's count every round would be early (the timer is the only thing due).
        // ADR 0011 §4.4's residual window (a pool thread preempted between taking the item and
        // entering its context) was measured at 1–2 in 2,000 rounds with the 2-core machine at a
        // load of 30–40; design B of the ADR closes it.
        Assert.True(early <= Rounds / 100, $"{early} early advances in {Rounds} rounds");
    }

    /// <summary>
    /// A handler that serves one request at a time (the semaphore is contended by every other),
    /// takes 10 ms of virtual time and answers the request reversed, computed on the pool when asked.
    /// </summary>
    private static Func<RequestContext, CancellationToken, Task<ReadOnlyMemory<byte>>> OneAtATime(MockNetwork net, SemaphoreSlim one, bool viaTaskRun) =>
        async (context, cancellationToken) =>
        {
            await one.WaitAsync(cancellationToken);
            try
            {
                await Task.Delay(Ms(10), net.TimeProvider, cancellationToken);
                return viaTaskRun
                    ? await Task.Run(() => (ReadOnlyMemory<byte>)context.Request.ToArray().Reverse().ToArray(), cancellationToken)
                    : context.Request.ToArray().Reverse().ToArray();
            }
            finally
            {
                one.Release();
            }
        };

    private static MockNetwork Serial(int seed) =>
        new(new TestScheduler(), new MockNetworkOptions { Seed = seed, Ping = false, Identify = null, DefaultLink = new LinkOptions { Latency = Ms(50) } });

    private static (INetwork Client, INetwork Server) Pair(MockNetwork net)
    {
        var client = net.GenPeer();
        var server = net.GenPeer();
        net.LinkPeers(client, server);
        return (client, server);
    }

    /// <summary>Twenty concurrent requests; each reply checked; the completion times from the start, in order.</summary>
    private static async Task<IReadOnlyList<TimeSpan>> TwentyRequestsAsync(MockNetwork net, INetwork client, INetwork server)
    {
        using var caller = new RequestReplyService(client, Protocol);
        var start = net.Now;
        var times = new List<TimeSpan>();
        await net.RunAsync(() => Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            var reply = await caller.RequestAsync(server.LocalPeer, new byte[] { 1, (byte)i });
            Assert.Equal(new byte[] { (byte)i, 1 }, reply.ToArray());
            lock (times)
            {
                times.Add(net.Now - start);
            }
        })));
        return [.. times.Order()];
    }
}
