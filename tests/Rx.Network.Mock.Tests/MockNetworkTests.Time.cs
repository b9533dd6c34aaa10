using System.Diagnostics;
using Rx.Network.Protocols;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>The virtual-time contract: things happen exactly when the clock says, and never wait on the wall clock.</summary>
public sealed partial class MockNetworkTests
{
    private const string MessageProtocol = "/test/message/1.0.0";
    private const string SinkProtocol = "/test/sink/1.0.0";

    [Fact]
    public async Task AdvanceToAsync_MessageArrivesExactlyAfterTheLatency()
    {
        var (net, a, b, _) = await TwoPeersAsync(new LinkOptions { Latency = Ms(100) });
        await using var _net = net;
        var received = new TaskCompletionSource<(DateTimeOffset At, byte[] Data)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = b.SetStreamHandler(MessageProtocol, async stream =>
        {
            var data = new byte[5];
            await ReadExactlyAsync(stream, data);
            received.TrySetResult((net.Now, data));
        });
        var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, [MessageProtocol]));

        var sent = net.Now;
        await net.RunAsync(() => stream.WriteAsync("hello"u8.ToArray()).AsTask());
        await net.AdvanceToAsync(sent + Ms(100) - TimeSpan.FromTicks(1));
        await net.RunUntilIdleAsync();

        Assert.False(received.Task.IsCompleted, "The message arrived before the link's latency had passed.");
        Assert.Equal(sent + Ms(100) - TimeSpan.FromTicks(1), net.Now);

        await net.AdvanceToAsync(sent + Ms(100));
        var (at, data) = await received.Task.WaitAsync(Patience);

        Assert.Equal(sent + Ms(100), at);
        Assert.Equal("hello"u8.ToArray(), data);
    }

    [Fact]
    public async Task AdvanceByAsync_OneMegabyteOverOneMegabytePerSecondTakesOneSecond()
    {
        const int size = 1_000_000;
        var (net, a, b, _) = await TwoPeersAsync(new LinkOptions { Bandwidth = 1_000_000 });
        await using var _net = net;
        var drained = new TaskCompletionSource<(DateTimeOffset At, long Bytes)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = b.SetStreamHandler(SinkProtocol, async stream =>
        {
            long bytes = await DrainAsync(stream);
            drained.TrySetResult((net.Now, bytes));
        });
        var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, [SinkProtocol]));

        var start = net.Now;
        var upload = Task.Run(async () =>
        {
            await stream.WriteAsync(new byte[size]);
            await stream.CloseWriteAsync();
        });
        await net.AdvanceByAsync(Ms(990));

        Assert.False(drained.Task.IsCompleted, "A megabyte crossed a megabyte-per-second link in under 0.99 s.");

        await net.AdvanceByAsync(Ms(20));
        var (at, bytes) = await drained.Task.WaitAsync(Patience);
        await upload.WaitAsync(Patience);

        Assert.Equal(size, bytes);

        // A second for the payload, plus the yamux headers (12 bytes a frame) and window updates.
        Assert.InRange(at - start, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.002));
    }

    [Fact]
    public async Task RunAsync_PingMeasuresTheVirtualRoundTrip()
    {
        var (net, a, b, _) = await TwoPeersAsync(new LinkOptions { Latency = Ms(25) });
        await using var _net = net;

        var rtt = await net.RunAsync(() => PingService.PingAsync(a, b.LocalPeer, net.TimeProvider));

        Assert.Equal(Ms(50), rtt);
        Assert.Equal(Ms(50), a.Peerstore.PeerInfo(b.LocalPeer)?.Latency);
    }

    [Fact]
    public async Task ConnectPeersAsync_TakesRoundTripsOfVirtualTime()
    {
        var (net, a, b, _) = await TwoPeersAsync(new LinkOptions { Latency = Ms(100) }, connect: false);
        await using var _net = net;
        var start = net.Now;

        await net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer);

        // The transport's handshake is one round trip, the upgrade a few more: whole round trips only.
        var elapsed = net.Now - start;
        Assert.InRange(elapsed, Ms(400), Ms(1000));
        Assert.Equal(0, elapsed.Ticks % Ms(100).Ticks);
    }

    [Fact]
    public async Task AdvanceByAsync_AnHourOfKeepAlivesTakesLittleWallTime()
    {
        var (net, a, b, _) = await TwoPeersAsync(new LinkOptions { Latency = Ms(40) });
        await using var _net = net;
        using var log = Record(a, b);
        var wall = Stopwatch.StartNew();

        await net.AdvanceByAsync(TimeSpan.FromHours(1));

        // 120 keep-alive pings each way were answered in virtual time: the connection stands.
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
        Assert.DoesNotContain(log.Events, e => e.Event is Disconnected);
        Assert.InRange(wall.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task ConnectPeersAsync_DialTimeoutFiresInVirtualTime()
    {
        // A 20 s link: the transport's handshake alone outlasts the 10 s dial timeout.
        var (net, a, b, _) = await TwoPeersAsync(new LinkOptions { Latency = TimeSpan.FromSeconds(20) }, connect: false);
        await using var _net = net;
        var start = net.Now;
        var wall = Stopwatch.StartNew();

        await Assert.ThrowsAsync<DialException>(() => net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer));

        Assert.Equal(TimeSpan.FromSeconds(10), net.Now - start);
        Assert.Equal(Connectedness.CannotConnect, a.Connectedness(b.LocalPeer));
        Assert.InRange(wall.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RunAsync_OperationThatCannotCompleteTimesOut()
    {
        var (net, _, _, _) = await TwoPeersAsync();
        await using var _net = net;
        var never = new TaskCompletionSource();
        var start = net.Now;

        await Assert.ThrowsAsync<TimeoutException>(() => net.RunAsync(() => never.Task, TimeSpan.FromMinutes(2)));

        // Keep-alives keep work scheduled, so the limit is what stops it.
        Assert.InRange(net.Now - start, TimeSpan.Zero, TimeSpan.FromMinutes(2));
    }
}
