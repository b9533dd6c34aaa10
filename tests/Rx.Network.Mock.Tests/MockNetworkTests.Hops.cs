using System.Threading.Channels;
using Rx.Network.Protocols;
using Microsoft.Reactive.Testing;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>
/// Issue #15 item 2: user code that leaves the driver (a contended <see cref="SemaphoreSlim"/>,
/// <c>Task.Run</c>, <c>ConfigureAwait(false)</c> from the pool, a channel) no longer breaks a
/// virtual-time run: the driver waits for it before each step, so timings stay exact and, one hop
/// at a time, the order stays a function of the seed.
/// </summary>
public class MockNetworkHopTests
{
    private const string Protocol = "/test/serial/1.0.0";

    /// <summary>
    /// Requests arrive at 250 ms (dial, open, request); the handlers run one after another through
    /// the user's semaphore for 10 ms each; each reply takes 50 ms back. The clock waits for each
    /// Task.Run (the same times as without it); beyond MaxConcurrentHandlers the requests wait in
    /// the library's handler gate or in the user's semaphore alike.
    /// </summary>
    [Theory]
    [InlineData(7, false, 20)]
    [InlineData(8, true, 20)]
    [InlineData(9, true, 100)]
    public async Task Handler_AwaitingAContendedSemaphore_AnswersEveryRequestAtExactTimes(int seed, bool viaTaskRun, int requests)
    {
        var net = Serial(seed);
        var (client, server) = Pair(net);
        using var one = new SemaphoreSlim(1, 1);
        using var service = new RequestReplyService(server, Protocol, OneAtATime(net, one, viaTaskRun));
        if (requests == 100)
        {
            Assert.True(service.Options.MaxConcurrentHandlers < requests);
        }

        var times = await RequestsAsync(net, client, server, requests);

        Assert.Equal(Enumerable.Range(1, requests).Select(k => Ms(300 + 10 * k)), times);
        await net.DisposeAsync();
    }

    [Fact]
    public async Task HoppingHandlers_SameSeed_SameEventLogAndTimesTwice()
    {
        var first = await RunAsync(seed: 21);
        var second = await RunAsync(seed: 21);

        Assert.True(first.Log.Count >= 200, $"only {first.Log.Count} events");
        Assert.Equal(first.Log, second.Log);
        Assert.Equal(first.Times, second.Times);
        Assert.Equal(first.Order, second.Order);

        static async Task<(IReadOnlyList<string> Log, IReadOnlyList<TimeSpan> Times, IReadOnlyList<int> Order)> RunAsync(int seed)
        {
            await using var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions
            {
                Seed = seed,
                DefaultLink = new LinkOptions { Latency = Ms(20), Jitter = Ms(10) },
            });
            var client = net.GenPeer();
            var server = net.GenPeer();
            net.LinkPeers(client, server);
            using var log = Record(net, client, server);
            using var one = new SemaphoreSlim(2, 2);
            var order = new List<int>();
            var handled = Channel.CreateUnbounded<int>();

            // Every kind of hop in one handler: a contended semaphore, Task.Run, ConfigureAwait(false)
            // from the pool, a channel read by a consumer on the pool.
            using var service = new RequestReplyService(server, Protocol, async (context, cancellationToken) =>
            {
                await one.WaitAsync(cancellationToken);
                try
                {
                    int i = context.Request.Span[0];
                    await Task.Run(() => Thread.SpinWait(1_000), cancellationToken).ConfigureAwait(false);
                    await Task.Delay(Ms(1 + (i % 7)), net.TimeProvider, cancellationToken).ConfigureAwait(false);
                    await handled.Writer.WriteAsync(i, cancellationToken);
                    return context.Request;
                }
                finally
                {
                    one.Release();
                }
            });
            using var caller = new RequestReplyService(client, Protocol);
            var start = net.Now;
            var times = new List<TimeSpan>();
            await net.RunAsync(async () =>
            {
                var consumer = Task.Run(async () =>
                {
                    await foreach (var i in handled.Reader.ReadAllAsync())
                    {
                        order.Add(i);
                    }
                });
                await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
                {
                    var reply = await caller.RequestAsync(server.LocalPeer, new[] { (byte)i });
                    Assert.Equal(i, reply.Span[0]);
                    lock (times)
                    {
                        times.Add(net.Now - start);
                    }
                }));
                handled.Writer.Complete();
                await consumer;
            });
            Assert.Equal(100, order.Count);
            return (log.Lines, times, order);
        }
    }

    [Fact]
    public async Task IssueCase_RequestsStreamsAndPingsAtOnce_WithAHoppingHandler_SameSeedSameLogTwice()
    {
        var first = await RunAsync(seed: 15);
        var second = await RunAsync(seed: 15);

        Assert.True(first.Log.Count >= 200, $"only {first.Log.Count} events");
        Assert.Equal(first.Log, second.Log);
        Assert.Equal(first.Outcome, second.Outcome);

        // Issue #15: 100 requests (more than MaxConcurrentHandlers) to a handler that awaits a
        // contended semaphore and a Task.Run, 10 echo streams and 2 pings, all to a peer not yet
        // connected; then the network disposes cleanly.
        static async Task<(IReadOnlyList<string> Log, string Outcome)> RunAsync(int seed)
        {
            var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions
            {
                Seed = seed,
                DefaultLink = new LinkOptions { Latency = Ms(20), Jitter = Ms(10) },
            });
            var client = net.GenPeer();
            var server = net.GenPeer();
            net.LinkPeers(client, server);
            using var log = Record(net, client, server);
            using var one = new SemaphoreSlim(3, 3);
            using var echo = ServeEcho(server);
            using var service = new RequestReplyService(server, Protocol, async (context, cancellationToken) =>
            {
                await one.WaitAsync(cancellationToken);
                try
                {
                    await Task.Delay(Ms(5), net.TimeProvider, cancellationToken);
                    return await Task.Run(() => (ReadOnlyMemory<byte>)context.Request.ToArray().Reverse().ToArray(), cancellationToken);
                }
                finally
                {
                    one.Release();
                }
            });
            using var caller = new RequestReplyService(client, Protocol);
            Assert.True(service.Options.MaxConcurrentHandlers < 100);
            var start = net.Now;

            var outcome = await net.RunAsync(async () =>
            {
                var requests = Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
                {
                    var reply = await caller.RequestAsync(server.LocalPeer, new byte[] { 1, (byte)i });
                    Assert.Equal(new byte[] { (byte)i, 1 }, reply.ToArray());
                    return net.Now - start;
                }));
                var streams = Task.WhenAll(Enumerable.Range(1, 10).Select(async i =>
                {
                    var stream = await client.NewStreamAsync(server.LocalPeer, [Echo]);
                    var reading = ReadToEndAsync(stream);
                    await stream.WriteAsync(new byte[i * 100]);
                    await stream.CloseWriteAsync();
                    var length = (await reading).Length;
                    await stream.DisposeAsync();
                    return length;
                }));
                var pings = Task.WhenAll(
                    PingService.PingAsync(client, server.LocalPeer, net.TimeProvider),
                    PingService.PingAsync(client, server.LocalPeer, net.TimeProvider));
                var times = await requests;
                Assert.Equal(Enumerable.Range(1, 10).Select(i => i * 100), await streams);
                var rtts = await pings;
                return string.Join(' ', times.Order()) + " | " + string.Join(' ', rtts);
            }, TimeSpan.FromMinutes(5));

            Assert.Single(client.ConnectionsToPeer(server.LocalPeer));
            await net.DisposeAsync();
            Assert.All([client, server], peer => Assert.Empty(peer.Connections));
            return (log.Lines, outcome);
        }
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
            // Started inside the run, so the run's: the clock waits for it. (A consumer started
            // before RunAsync, or on a thread of its own, is not the run's code: the clock does not
            // wait for it, and a handler blocked on it can miss its virtual instant.)
            var consumer = Task.Run(async () =>
            {
                int sum = 0;
                await foreach (var n in lines.Reader.ReadAllAsync())
                {
                    sum += n;
                }

                return sum;
            });
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
    public async Task Clock_NeverMovesWhileTheRunsCodeIsOnThePool()
    {
        await using var net = Quiet();
        Assert.True(Time.RunWatch.Listening, "the thread pool's events do not reach the mock network");
        const int Rounds = 500;
        var early = 0;
        for (int round = 0; round < Rounds; round++)
        {
            await net.RunAsync(async () =>
            {
                // A timer due 1 ms from now fires if the clock moves while the Task.Run body runs
                // or before it starts.
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

        Assert.Equal(0, early);
    }

    [Fact]
    public async Task DisposeAsync_WithHandlersWaitingOnTheirOwnSemaphore_DoesNotThrow()
    {
        var net = Serial(seed: 10);
        var (client, server) = Pair(net);
        var never = new SemaphoreSlim(0, 1);
        using var service = new RequestReplyService(server, Protocol, async (context, cancellationToken) =>
        {
            await never.WaitAsync(cancellationToken);
            return context.Request;
        });
        using var caller = new RequestReplyService(client, Protocol);
        var calls = Enumerable.Range(0, 10).Select(i => caller.RequestAsync(server.LocalPeer, new[] { (byte)i })).ToArray();
        await net.AdvanceByAsync(TimeSpan.FromSeconds(1));
        Assert.All(calls, c => Assert.False(c.IsCompleted));

        await net.DisposeAsync();

        // Every call ends (the connection went away) and nothing of the run is left on the pool.
        await net.RunUntilIdleAsync();
        Assert.All(calls, c => Assert.True(c.IsFaulted || c.IsCanceled));
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

    /// <summary>Concurrent requests; each reply checked; the completion times from the start, in order.</summary>
    private static async Task<IReadOnlyList<TimeSpan>> RequestsAsync(MockNetwork net, INetwork client, INetwork server, int count)
    {
        using var caller = new RequestReplyService(client, Protocol);
        var start = net.Now;
        var times = new List<TimeSpan>();
        await net.RunAsync(() => Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var reply = await caller.RequestAsync(server.LocalPeer, new byte[] { 1, (byte)i });
            Assert.Equal(new byte[] { (byte)i, 1 }, reply.ToArray());
            lock (times)
            {
                times.Add(net.Now - start);
            }
        })), TimeSpan.FromMinutes(5));
        return [.. times.Order()];
    }
}
