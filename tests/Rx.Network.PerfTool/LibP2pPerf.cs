using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Rx.Network.Swarm;
using Rx.Network.Transports;

namespace Rx.Network.PerfTool;

/// <summary>The rxnet side: a perf + ping server, and the client measurements against any libp2p peer.</summary>
internal static class LibP2pPerf
{
    /// <summary>
    /// Limits high enough for a handshake loop (connections closed as fast as they open) and
    /// 16 parallel perf streams. Identify is off so a handshake is TCP + multistream-select +
    /// Noise + yamux and nothing else (the js peer's perf node does the same).
    /// </summary>
    // A benchmark server takes hundreds of dials a second from 127.0.0.1: no per-source rate limit.
    private static readonly ConnectionLimits PerfLimits = new() { MaxInbound = 4096, MaxOutbound = 4096, MaxPendingInbound = 1024, InboundPerIpPerSecond = 0 };

    // The same for the resource manager's per-address connection counts (every dial comes from
    // 127.0.0.1); its memory budgets stay at their defaults, so the figures include their cost.
    public static NetworkBuilder Builder() => new NetworkBuilder().WithoutIdentify().WithLimits(PerfLimits)
        .WithResourceLimits(l => l with
        {
            Ip4Address = l.Ip4Address with { InboundConnections = 4096, PendingConnections = 1024 },
            Transient = l.Transient with { PendingConnections = 1024 },
        });

    /// <summary>The builder with <c>--security noise|tls|noise,tls</c> applied (default noise).</summary>
    public static NetworkBuilder Builder(Options options)
    {
        var builder = Builder().WithSecurity(Security(options));
        // --max-window BYTES: yamux's largest receive window per stream (an experiment's knob; default the library's).
        long maxWindow = options.Long("max-window", 0);
        builder = maxWindow > 0 ? builder.WithYamux(new YamuxOptions { MaxStreamWindow = (int)maxWindow }) : builder;

        // --lowat, --short-rcvbuf, --max-send-buffer, --max-receive-buffer BYTES: the TCP transport's
        // queue bounds (experiments' knobs; -1 or absent = the library's default, 0 = off where allowed).
        var defaults = TcpTransportOptions.Default;
        long lowat = options.Long("lowat", -1), shortReceive = options.Long("short-rcvbuf", -1);
        long maxSend = options.Long("max-send-buffer", -1), maxReceive = options.Long("max-receive-buffer", -1);
        if (lowat < 0 && shortReceive < 0 && maxSend < 0 && maxReceive < 0)
        {
            return builder;
        }

        return builder.WithTcp(new TcpTransportOptions
        {
            UnsentLowWatermark = lowat < 0 ? defaults.UnsentLowWatermark : (int)lowat,
            ShortPathReceiveBufferSize = shortReceive < 0 ? defaults.ShortPathReceiveBufferSize : (int)shortReceive,
            MaxSendBufferSize = maxSend < 0 ? defaults.MaxSendBufferSize : (int)maxSend,
            MaxReceiveBufferSize = maxReceive < 0 ? defaults.MaxReceiveBufferSize : (int)maxReceive,
        });
    }

    private static SecurityProtocol[] Security(Options options) =>
        [.. options.Text("security", "noise").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(name => name switch
        {
            "noise" => SecurityProtocol.Noise,
            "tls" => SecurityProtocol.Tls,
            _ => throw new ArgumentException($"Unknown --security {name} (noise, tls)."),
        })];

    public static async Task<int> ServeAsync(Options options)
    {
        var stopped = new TaskCompletionSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        var network = await Builder(options).ListenOn(options.Text("listen", "/ip4/127.0.0.1/tcp/0")).StartAsync();
        await using (network)
        {
            using var perf = new PerfService(network);
            Json.Emit(new JsonObject
            {
                ["event"] = "listening",
                ["peerId"] = network.LocalPeer.ToString(),
                ["addrs"] = new JsonArray([.. network.ListenAddresses.Select(a => (JsonNode?)a.WithPeerId(network.LocalPeer).ToString())]),
            });
            await stopped.Task;
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopped.TrySetResult();
        }
    }

    public static async Task<int> ClientAsync(Options options)
    {
        var address = Multiaddr.Parse(options.Positional(0, "MULTIADDR"));
        var peer = address.PeerId ?? throw new ArgumentException("The address needs a /p2p/ part.");
        var measure = options.Text("measure", "throughput");
        JsonObject result;
        if (measure == "handshakes")
        {
            result = await HandshakesAsync(address, peer, options, options.Int("concurrency", 2), options.Int("seconds", 3));
        }
        else
        {
            var network = await Builder(options).WithoutPing().StartAsync();
            await using (network)
            {
                network.Peerstore.AddAddresses(peer, [address.WithoutPeerId()], AddressTtl.Permanent);
                await network.DialPeerAsync(peer);
                result = measure switch
                {
                    "throughput" => await Measurements.ThroughputAsync(
                        (up, down) => PerfService.RunAsync(network, peer, up, down),
                        options.Long("bytes", 64L << 20),
                        options.Int("streams", 1),
                        options.Int("runs", 3),
                        TimeSpan.FromSeconds(options.Int("warmup-seconds", Measurements.DefaultWarmupSeconds))),
                    "ping" => await PingAsync(network, peer, options.Int("pings", 2000)),
                    "ping-under-load" => await PingUnderLoadAsync(network, peer, options),
                    _ => throw new ArgumentException($"Unknown --measure {measure}."),
                };
            }
        }

        result.Insert(0, "impl", options.Text("label", "rxnet"));
        Json.Emit(result);
        return 0;
    }

    private static Task<JsonObject> PingUnderLoadAsync(INetwork network, PeerId peer, Options options)
    {
        return Measurements.PingUnderLoadAsync(
            (sent, stop) => UploadUntilAsync(network, peer, sent, stop),
            async () =>
            {
                var stream = await network.NewStreamAsync(peer, [PingService.ProtocolId]);
                return new Measurements.PingLane(RoundTrip(stream), async () =>
                {
                    await stream.CloseWriteAsync();
                    await stream.DisposeAsync();
                });
            },
            options.Int("pings", 1000),
            options.Int("runs", 3),
            TimeSpan.FromSeconds(options.Int("seconds", 2)),
            TimeSpan.FromSeconds(options.Int("warmup-seconds", Measurements.DefaultWarmupSeconds)));
    }

    /// <summary>A perf exchange that asks for nothing back and uploads until <paramref name="stop"/>; the stream closes cleanly.</summary>
    private static async Task UploadUntilAsync(INetwork network, PeerId peer, StrongBox<long> sent, CancellationToken stop)
    {
        // stop only ends the loop: the exchange then finishes cleanly (CancellationToken.None).
        var stream = await network.NewStreamAsync(peer, [PerfService.ProtocolId], CancellationToken.None);
        await using (stream)
        {
            var block = new byte[64 * 1024];
            await stream.WriteAsync(block.AsMemory(0, 8), CancellationToken.None); // zeros: no bytes asked back
            while (!stop.IsCancellationRequested)
            {
                await stream.WriteAsync(block, CancellationToken.None);
                Interlocked.Add(ref sent.Value, block.Length);
            }

            await stream.CloseWriteAsync(CancellationToken.None);
            if (await stream.ReadAsync(block, CancellationToken.None) != 0)
            {
                throw new InvalidDataException("The perf server sent bytes that were not asked for.");
            }
        }
    }

    /// <summary>One 32-byte ping round trip on <paramref name="stream"/>, checked.</summary>
    private static Func<Task> RoundTrip(IStream stream)
    {
        var payload = new byte[PingService.PayloadSize];
        var echo = new byte[PingService.PayloadSize];
        return async () =>
        {
            RandomNumberGenerator.Fill(payload);
            await stream.WriteAsync(payload);
            await Measurements.ReadExactlyAsync(b => stream.ReadAsync(b), echo);
            if (!payload.AsSpan().SequenceEqual(echo))
            {
                throw new InvalidDataException("The ping echo differs.");
            }
        };
    }

    private static async Task<JsonObject> PingAsync(INetwork network, PeerId peer, int count)
    {
        // Many pings on one stream, as the protocol allows: the figure is the stack's round trip,
        // not stream negotiation.
        var stream = await network.NewStreamAsync(peer, [PingService.ProtocolId]);
        await using (stream)
        {
            return await Measurements.PingAsync(RoundTrip(stream), count, Math.Min(200, count));
        }
    }

    private static async Task<JsonObject> HandshakesAsync(Multiaddr address, PeerId peer, Options options, int concurrency, int seconds)
    {
        // One network per lane: a network reuses its connection to a peer, and each lane closes
        // its connection before dialing again, so every dial is a full handshake.
        var networks = new List<INetwork>();
        try
        {
            for (int i = 0; i < concurrency; i++)
            {
                var network = await Builder(options).WithoutPing().StartAsync();
                network.Peerstore.AddAddresses(peer, [address.WithoutPeerId()], AddressTtl.Permanent);
                networks.Add(network);
            }

            return await Measurements.HandshakesAsync(
                [.. networks.Select<INetwork, Func<Task>>(n => async () =>
                {
                    await n.DialPeerAsync(peer);
                    await n.ClosePeerAsync(peer);
                })],
                seconds,
                TimeSpan.FromSeconds(options.Int("warmup-seconds", Measurements.DefaultWarmupSeconds)));
        }
        finally
        {
            foreach (var network in networks)
            {
                await network.DisposeAsync();
            }
        }
    }
}
