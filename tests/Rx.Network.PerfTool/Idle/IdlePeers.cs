using System.Reactive.Linq;
using System.Runtime;
using System.Text.Json.Nodes;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Resources;
using Rx.Network.Swarm;

namespace Rx.Network.PerfTool.Idle;

/// <summary>
/// The two kinds of child process of the idle-connection probe (<see cref="IdleProbe"/>). Both read
/// commands on stdin, one a line, and answer each with one JSON line; both leave when stdin ends.
/// </summary>
internal static class IdlePeers
{
    private const long GiB = 1L << 30;

    /// <summary>
    /// <c>idle-listen [--max N]</c>: one listener (the perf tool's usual configuration: Noise,
    /// yamux with its defaults, so keep-alives on, identify off) whose limits are raised to take
    /// <c>N</c> connections from 127.0.0.1: the per-address and node-wide connection counts, the
    /// per-source rate limit (off), and the memory budgets (accounting only: a reservation holds no
    /// memory, so the figures do not depend on them). Commands: <c>stats</c>, <c>gc</c> (a full
    /// blocking compacting collection first).
    /// </summary>
    public static async Task<int> ListenAsync(Options options)
    {
        int max = options.Int("max", 12_000);
        var limits = new ConnectionLimits { MaxInbound = max, MaxOutbound = 64, MaxPendingInbound = 1024, InboundPerIpPerSecond = 0 };
        var network = await LibP2pPerf.Builder(options).WithLimits(limits)
            .WithResourceLimits(l =>
            {
                ScopeLimits Raise(ScopeLimits s) => s with { Memory = 64 * GiB, InboundConnections = max, PendingConnections = 1024 };
                return l with { System = Raise(l.System), Transient = Raise(l.Transient), Ip4Address = Raise(l.Ip4Address) };
            })
            .ListenOn(options.Text("listen", "/ip4/127.0.0.1/tcp/0")).StartAsync();
        await using (network)
        {
            // Why connections ended (a keep-alive ping unanswered on a loaded machine, a reset…).
            using var closes = network.Events.OfType<Disconnected>().Subscribe(e =>
            {
                string reason = e.Error is null ? "clean" : Innermost(e.Error).GetType().Name;
                lock (Disconnects)
                {
                    Disconnects[reason] = Disconnects.GetValueOrDefault(reason) + 1;
                }
            });
            Json.Emit(new JsonObject
            {
                ["event"] = "listening",
                ["peerId"] = network.LocalPeer.ToString(),
                ["addrs"] = new JsonArray([.. network.ListenAddresses.Select(a => (JsonNode?)a.WithPeerId(network.LocalPeer).ToString())]),
                ["limitsRaised"] = $"inbound connections {max} (system, transient, per IPv4 address), pending 1024, no per-IP rate limit, memory budgets 64 GiB",
            });
            while (await Console.In.ReadLineAsync() is { } line)
            {
                if (line.Trim() is "gc" or "stats")
                {
                    Json.Emit(Stats(line.Trim() == "gc", network));
                }
            }
        }

        return 0;
    }

    /// <summary>
    /// <c>idle-dial MULTIADDR</c>: dials the listener on command, each connection from its own
    /// network (one connection per peer, as libp2p keeps), with yamux's defaults (keep-alive
    /// pings every 30 s). Commands: <c>dial K</c> opens K more (32 at a time) and answers once all
    /// are up or failed; <c>stats</c>, <c>gc</c> as the listener.
    /// </summary>
    public static async Task<int> DialAsync(Options options)
    {
        var target = Multiaddr.Parse(options.Positional(0, "MULTIADDR"));
        var peer = target.PeerId ?? throw new ArgumentException("The address needs its /p2p part.");
        var address = target.WithoutPeerId();
        var networks = new List<INetwork>();
        int failed = 0;
        string? firstError = null;
        try
        {
            while (await Console.In.ReadLineAsync() is { } line)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words is ["dial", var k])
                {
                    using var gate = new SemaphoreSlim(32);
                    var dials = Enumerable.Range(0, int.Parse(k, System.Globalization.CultureInfo.InvariantCulture)).Select(async _ =>
                    {
                        await gate.WaitAsync();
                        try
                        {
                            var network = await LibP2pPerf.Builder(options).WithoutPing().StartAsync();
                            lock (networks)
                            {
                                networks.Add(network);
                            }

                            network.Peerstore.AddAddresses(peer, [address], AddressTtl.Permanent);
                            await network.DialPeerAsync(peer);
                        }
                        catch (Exception e)
                        {
                            Interlocked.Increment(ref failed);
                            Interlocked.CompareExchange(ref firstError, e.GetType().Name + ": " + e.Message, null);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    });
                    await Task.WhenAll(dials);
                    Json.Emit(new JsonObject { ["event"] = "dialed", ["networks"] = networks.Count, ["failed"] = failed, ["firstError"] = firstError });
                }
                else if (words is ["gc" or "stats"])
                {
                    Json.Emit(Stats(words[0] == "gc", null));
                }
            }
        }
        finally
        {
            foreach (var network in networks)
            {
                await network.DisposeAsync();
            }
        }

        return 0;
    }

    /// <summary>The managed heap (after a full collection when <paramref name="collect"/>), RSS and what the GC says.</summary>
    private static JsonObject Stats(bool collect, INetwork? network)
    {
        if (collect)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        var info = GC.GetGCMemoryInfo();
        return new JsonObject
        {
            ["event"] = "stats",
            ["heapBytes"] = GC.GetTotalMemory(forceFullCollection: false),
            ["committedBytes"] = info.TotalCommittedBytes,
            ["fragmentedBytes"] = info.FragmentedBytes,
            ["rssBytes"] = Rss(),
            ["threads"] = System.Diagnostics.Process.GetCurrentProcess().Threads.Count,
            ["timers"] = Timer.ActiveCount,
            ["connections"] = network?.Connections.Count ?? -1,
            ["disconnects"] = DisconnectCounts(),
        };
    }

    private static readonly Dictionary<string, int> Disconnects = new(StringComparer.Ordinal);

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    private static JsonObject DisconnectCounts()
    {
        lock (Disconnects)
        {
            return new JsonObject([.. Disconnects.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]);
        }
    }

    /// <summary>VmRSS from /proc/self/status, in bytes.</summary>
    private static long Rss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
