using Microsoft.Reactive.Testing;
using Rx.Network.Muxing;
using Rx.Network.Protocols;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>
/// The real-stack mode (multistream-select, Noise, yamux, swarm, ping, identify) in virtual time:
/// exact link latencies, and the stack's own timers (keep-alives, ping timeouts) on the virtual clock.
/// </summary>
public class MockNetworkVirtualStackTests
{
    private static MockNetwork VirtualStack(int seed = 5, Action<NetworkBuilder>? configure = null, bool historical = false) =>
        new(historical ? new System.Reactive.Concurrency.HistoricalScheduler(DateTimeOffset.UnixEpoch) : new TestScheduler(), new MockNetworkOptions
        {
            Mode = MockNetworkMode.RealStack,
            Seed = seed,
            DefaultLink = new LinkOptions { Latency = Ms(50) },
            ConfigurePeer = configure,
        });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ping_OverA50MsLink_MeasuresExactly100Ms_OverNoiseAndYamux(bool historical)
    {
        await using var net = VirtualStack(historical: historical);
        var (a, b, _) = await TwoPeersAsync(net);
        var connection = Assert.Single(a.Connections);
        Assert.Equal("/noise", connection.Security);
        Assert.Equal("/yamux/1.0.0", connection.Muxer);

        for (int i = 0; i < 3; i++)
        {
            var start = net.Now;
            var rtt = await net.RunAsync(() => PingService.PingAsync(a, b.LocalPeer, net.TimeProvider));

            Assert.Equal(Ms(100), rtt);

            // The ping protocol's stream: opening it and selecting /ipfs/ping/1.0.0 (one round
            // trip: multistream-select's header and proposal go with the stream's SYN), then the ping.
            Assert.Equal(Ms(200), net.Now - start);
        }
    }

    [Fact]
    public async Task Connecting_TakesTheHandshakeRoundTrips_InExactVirtualTime()
    {
        await using var net = VirtualStack(configure: b => b.WithoutIdentify());
        var (a, b, _) = await TwoPeersAsync(net, connect: false);

        var start = net.Now;
        await net.ConnectPeersAsync(a, b);

        // Dial (½ round trip there and ½ back for the mock's accept), multistream-select /noise (1),
        // the Noise XX handshake (1½: the dialer's third message goes with its yamux proposal),
        // multistream-select /yamux/1.0.0 (1): see the mock README's table.
        Assert.Equal(Ms(300), net.Now - start);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
    }

    [Fact]
    public async Task AnHourOfIdleKeepAlives_PassesInVirtualTime_EveryPingAnsweredIn100Ms()
    {
        await using var net = VirtualStack(configure: b => b.WithoutIdentify());
        var (a, b, _) = await TwoPeersAsync(net);
        var connection = Assert.Single(a.Connections);
        var frames = new List<TracedFrame>();
        using var trace = connection.TraceFrames().Subscribe(f =>
        {
            lock (frames)
            {
                frames.Add(f);
            }
        });

        var start = net.Now;
        await net.AdvanceByAsync(TimeSpan.FromHours(1));

        Assert.Equal(TimeSpan.FromHours(1), net.Now - start);
        Assert.Same(connection, Assert.Single(a.Connections));
        TracedFrame[] pings, pongs;
        lock (frames)
        {
            pings = [.. frames.Where(f => f.Type == YamuxFrameType.Ping && f.Direction == Direction.Outbound && !f.Flags.HasFlag(YamuxFlags.Ack))];
            pongs = [.. frames.Where(f => f.Type == YamuxFrameType.Ping && f.Direction == Direction.Inbound && f.Flags.HasFlag(YamuxFlags.Ack))];
        }

        // Yamux's keep-alive every 30 s (YamuxOptions.KeepAliveInterval): 120 in an hour, each
        // answered one round trip (100 ms) later.
        Assert.Equal(120, pings.Length);
        Assert.Equal(120, pongs.Length); // the start ping's and those of the first 119: the last is answered after the hour
        Assert.All(pings.Zip(pings.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(30), p.Second.Timestamp - p.First.Timestamp));
        var answers = pongs.ToDictionary(p => p.Length);
        Assert.All(pings[..^1], p => Assert.Equal(Ms(100), answers[p.Length].Timestamp - p.Timestamp));
    }

    [Fact]
    public async Task AnUnansweredKeepAlive_EndsTheConnection_ExactlyAtThePingTimeout()
    {
        await using var net = VirtualStack(configure: b => b.WithoutIdentify());
        var (a, b, link) = await TwoPeersAsync(net);
        var connection = Assert.Single(a.Connections);
        var connected = net.Now;

        // From now on everything b sends is held back for a minute: a's next keep-alive (30 s
        // after the session started) goes unanswered for PingTimeout (10 s).
        link.AddRule(f => f.From == b.LocalPeer ? LinkVerdict.Delay(TimeSpan.FromMinutes(1)) : LinkVerdict.Pass);
        var error = await net.RunAsync(async () =>
        {
            try
            {
                await connection.Completion;
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        });

        // The keep-alive went out 30 s after the session started (at the end of the handshake),
        // and PingTimeout (10 s) later the session ended with a timeout.
        var timeout = Assert.IsType<TimeoutException>(error);
        Assert.Contains("keep-alive", timeout.Message, StringComparison.Ordinal);
        Assert.Equal(connected + TimeSpan.FromSeconds(40), net.Now);
        Assert.Equal(Connectedness.NotConnected, a.Connectedness(b.LocalPeer));
    }

    [Fact]
    public async Task OneSeed_GivesTheSameEventLogAndTimesTwice_AndDisposesCleanly()
    {
        Assert.Equal(await RunScriptAsync(), await RunScriptAsync());
    }

    private static async Task<string[]> RunScriptAsync()
    {
        var net = VirtualStack(seed: 11);
        var peers = Enumerable.Range(0, 3).Select(_ => net.GenPeer()).ToArray();
        net.LinkPeers(peers[0], peers[1], new LinkOptions { Latency = Ms(20) });
        net.LinkPeers(peers[1], peers[2], new LinkOptions { Latency = Ms(35) });
        using var log = Record(net, peers);
        using var echo = ServeEcho(peers[1]);
        var rtts = new List<string>();
        await net.RunAsync(async () =>
        {
            var pinging = PingService.PingAsync(peers[2], peers[1].LocalPeer, net.TimeProvider);
            var stream = await peers[0].NewStreamAsync(peers[1].LocalPeer, [Echo]);
            await stream.WriteAsync("hello"u8.ToArray());
            await stream.CloseWriteAsync();
            var echoed = await ReadToEndAsync(stream);
            rtts.Add($"{net.Now.UtcTicks} echo {echoed.Length}");
            rtts.Add($"{net.Now.UtcTicks} ping {await pinging}");
            return true;
        });
        await net.DisconnectPeersAsync(peers[0], peers[1]);
        await net.RunUntilIdleAsync();
        await net.DisposeAsync();
        return [.. rtts, .. log.Lines];
    }
}
