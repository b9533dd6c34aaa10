using Rx.Network.Protocols;
using Microsoft.Reactive.Testing;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

public class MockNetworkTimeTests
{
    [Fact]
    public async Task Message_Over100MsLink_IsReadExactlyAt100MsAndNotBefore()
    {
        await using var net = Quiet(link: new LinkOptions { Latency = Ms(100) });
        var (a, b, _) = await TwoPeersAsync(net);
        DateTimeOffset? readAt = null;
        b.SetStreamHandler("/t/1.0.0", async stream =>
        {
            var buffer = new byte[5];
            await ReadExactlyAsync(stream, buffer);
            readAt = net.Now;
        });
        var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, ["/t/1.0.0"]));
        var sent = net.Now;

        await net.RunAsync(async () =>
        {
            await stream.WriteAsync("hello"u8.ToArray());
            return 0;
        });
        await net.AdvanceToAsync(sent + Ms(100) - TimeSpan.FromTicks(1));
        Assert.Null(readAt);

        await net.AdvanceToAsync(sent + Ms(100));
        Assert.Equal(sent + Ms(100), readAt);
    }

    [Fact]
    public async Task OneMegabyte_OverOneMegabytePerSecondLink_ArrivesAtOneSecond()
    {
        await using var net = Quiet(link: new LinkOptions { Bandwidth = 1_000_000 });
        var (a, b, _) = await TwoPeersAsync(net);
        DateTimeOffset? doneAt = null;
        long received = 0;
        b.SetStreamHandler("/sink/1.0.0", async stream =>
        {
            received = (await ReadToEndAsync(stream)).Length;
            doneAt = net.Now;
        });
        var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, ["/sink/1.0.0"]));
        var start = net.Now;

        await net.RunAsync(async () =>
        {
            await stream.WriteAsync(new byte[1_000_000]);
            await stream.CloseWriteAsync();
            return 0;
        });
        await net.AdvanceToAsync(start + TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        Assert.Null(doneAt);
        await net.AdvanceToAsync(start + TimeSpan.FromSeconds(1));

        Assert.Equal(1_000_000, received);
        Assert.Equal(start + TimeSpan.FromSeconds(1), doneAt);
    }

    [Fact]
    public async Task Bandwidth_SharedByStreamsOfALink()
    {
        await using var net = Quiet(link: new LinkOptions { Bandwidth = 100_000 });
        var (a, b, _) = await TwoPeersAsync(net);
        var finished = new List<DateTimeOffset>();
        b.SetStreamHandler("/sink/1.0.0", async stream =>
        {
            await ReadToEndAsync(stream);
            finished.Add(net.Now);
        });
        var start = net.Now;

        await net.RunAsync(() => Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            var stream = await a.NewStreamAsync(b.LocalPeer, ["/sink/1.0.0"]);
            await stream.WriteAsync(new byte[50_000]);
            await stream.CloseWriteAsync();
        })));
        await net.AdvanceByAsync(TimeSpan.FromSeconds(5));

        // 100 kB through a 100 kB/s link: the last byte arrives after a second, whichever stream carries it.
        Assert.Equal(2, finished.Count);
        Assert.Equal(start + TimeSpan.FromSeconds(1), finished.Max());
    }

    [Fact]
    public async Task Ping_RoundTripIsTwiceTheLatency()
    {
        var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions { Seed = 1, Identify = null, DefaultLink = new LinkOptions { Latency = Ms(25) } });
        await using var _ = net;
        var (a, b, _) = await TwoPeersAsync(net);

        var rtt = await net.RunAsync(() => PingService.PingAsync(a, b.LocalPeer, net.TimeProvider));

        // The ping stream's opening takes one round trip, the ping itself another.
        Assert.Equal(Ms(50), rtt);
    }

    [Fact]
    public async Task PeerStatuses_LatencyFollowsPings()
    {
        var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions { Seed = 1, Identify = null, DefaultLink = new LinkOptions { Latency = Ms(15) } });
        await using var _ = net;
        var (a, b, _) = await TwoPeersAsync(net);
        using var pinger = new PingService(a, net.TimeProvider);

        await net.RunAsync(() => pinger.PingAsync(b.LocalPeer));
        await net.RunUntilIdleAsync();

        Assert.True(a.PeerStatuses.TryGetValue(b.LocalPeer, out var status));
        Assert.Equal(Ms(30), status.Latency);
    }

    [Fact]
    public async Task Timers_OnTheNetworkClock_FireWithoutWallClockWaits()
    {
        await using var net = Quiet();
        var (a, b, _) = await TwoPeersAsync(net);
        var started = net.Now;

        // A day of virtual time: a test that waited on the wall clock could never finish.
        await net.RunAsync(async () =>
        {
            await Task.Delay(TimeSpan.FromDays(1), net.TimeProvider);
            return 0;
        },
        timeout: TimeSpan.FromDays(2));

        Assert.Equal(started + TimeSpan.FromDays(1), net.Now);
    }

    [Fact]
    public async Task RunAsync_OperationThatCannotComplete_FailsWithTimeout()
    {
        await using var net = Quiet();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => net.RunAsync(() => new TaskCompletionSource<int>().Task));

        Assert.Contains("nothing is scheduled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_VirtualTimeout_FailsAfterTheLimit()
    {
        await using var net = Quiet();
        var started = net.Now;

        await Assert.ThrowsAsync<TimeoutException>(() => net.RunAsync(
            async () =>
            {
                await Task.Delay(TimeSpan.FromHours(1), net.TimeProvider);
                return 0;
            },
            timeout: TimeSpan.FromMinutes(1)));

        Assert.True(net.Now - started <= TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task RunAsync_FromInsideTheDrive_Throws()
    {
        await using var net = Quiet();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => net.RunAsync(() => net.RunAsync(() => Task.FromResult(1))));

        Assert.Contains("inside the work it runs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jitter_KeepsLinksInOrder()
    {
        await using var net = Quiet(seed: 3, link: new LinkOptions { Latency = Ms(10), Jitter = Ms(30) });
        var (a, b, _) = await TwoPeersAsync(net);
        using var _ = ServeEcho(b);
        var payload = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();

        var echoed = await net.RunAsync(async () =>
        {
            var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]);
            var reading = ReadToEndAsync(stream);
            for (int offset = 0; offset < payload.Length; offset += 1000)
            {
                await stream.WriteAsync(payload.AsMemory(offset, 1000));
            }

            await stream.CloseWriteAsync();
            return await reading;
        });

        Assert.Equal(payload, echoed);
    }
}
