using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Rx.Network.Swarm;

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

    public static async Task<int> ServeAsync(Options options)
    {
        var stopped = new TaskCompletionSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        var network = await Builder().ListenOn(options.Text("listen", "/ip4/127.0.0.1/tcp/0")).StartAsync();
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
            result = await HandshakesAsync(address, peer, options.Int("concurrency", 2), options.Int("seconds", 3));
        }
        else
        {
            var network = await Builder().WithoutPing().StartAsync();
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
                    _ => throw new ArgumentException($"Unknown --measure {measure}."),
                };
            }
        }

        result.Insert(0, "impl", options.Text("label", "rxnet"));
        Json.Emit(result);
        return 0;
    }

    private static async Task<JsonObject> PingAsync(INetwork network, PeerId peer, int count)
    {
        // Many pings on one stream, as the protocol allows: the figure is the stack's round trip,
        // not stream negotiation.
        var stream = await network.NewStreamAsync(peer, [PingService.ProtocolId]);
        await using (stream)
        {
            var payload = new byte[PingService.PayloadSize];
            var echo = new byte[PingService.PayloadSize];
            return await Measurements.PingAsync(
                async () =>
                {
                    RandomNumberGenerator.Fill(payload);
                    await stream.WriteAsync(payload);
                    await Measurements.ReadExactlyAsync(b => stream.ReadAsync(b), echo);
                    if (!payload.AsSpan().SequenceEqual(echo))
                    {
                        throw new InvalidDataException("The ping echo differs.");
                    }
                },
                count,
                Math.Min(200, count));
        }
    }

    private static async Task<JsonObject> HandshakesAsync(Multiaddr address, PeerId peer, int concurrency, int seconds)
    {
        // One network per lane: a network reuses its connection to a peer, and each lane closes
        // its connection before dialing again, so every dial is a full handshake.
        var networks = new List<INetwork>();
        try
        {
            for (int i = 0; i < concurrency; i++)
            {
                var network = await Builder().WithoutPing().StartAsync();
                network.Peerstore.AddAddresses(peer, [address.WithoutPeerId()], AddressTtl.Permanent);
                networks.Add(network);
            }

            return await Measurements.HandshakesAsync(
                [.. networks.Select<INetwork, Func<Task>>(n => async () =>
                {
                    await n.DialPeerAsync(peer);
                    await n.ClosePeerAsync(peer);
                })],
                seconds);
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
