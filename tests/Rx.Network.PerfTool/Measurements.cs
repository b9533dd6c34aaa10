using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Rx.Network.PerfTool;

/// <summary>
/// The three measurements, identical for every implementation (rxnet, raw TCP; the js peer's
/// lib/perf-cli.mjs follows the same rules): what differs is only the exchange they time.
/// </summary>
internal static class Measurements
{
    /// <summary>The warm-up of a throughput measurement when none is given: 5 seconds.</summary>
    public const int DefaultWarmupSeconds = 5;

    /// <summary>
    /// Runs <paramref name="streams"/> perf exchanges in parallel (each uploads and downloads
    /// <paramref name="bytes"/>), <paramref name="runs"/> times, after unmeasured rounds of a quarter
    /// of the size repeated until <paramref name="warmup"/> has passed (at least one);
    /// MB/s = all payload bytes both ways / wall time of the round.
    /// </summary>
    /// <remarks>
    /// Why seconds of warm-up: every client is a fresh process, and its just-in-time compiler takes
    /// seconds of load to settle (.NET's tiers: unoptimized, then instrumented, then optimized code,
    /// compiled on a background thread that competes for the same two cores: an rxnet client
    /// compiles ~2,700 more methods, ~1.2 s of JIT CPU, over its first 4-7 s of transfers; V8
    /// likewise). Rounds taken before that measure the compiler as much as the stack: here rxnet's
    /// run 10-45 % below its steady state and js-libp2p's 20-55 % below (docs/benchmarks.md,
    /// round 4). The js peer's lib/perf-cli.mjs warms up by the same rule.
    /// </remarks>
    public static async Task<JsonObject> ThroughputAsync(Func<long, long, Task> exchange, long bytes, int streams, int runs, TimeSpan warmup)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmup.Ticks, nameof(warmup));
        long warming = Stopwatch.GetTimestamp();
        int warmupRounds = 0;
        do
        {
            await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => exchange(bytes / 4, bytes / 4)));
            warmupRounds++;
        }
        while (Stopwatch.GetElapsedTime(warming) < warmup);

        double warmedFor = Stopwatch.GetElapsedTime(warming).TotalSeconds;
        var mbps = new List<double>();
        for (int run = 0; run < runs; run++)
        {
            long started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => exchange(bytes, bytes)));
            mbps.Add(2.0 * bytes * streams / Stopwatch.GetElapsedTime(started).TotalSeconds / 1e6);
        }

        return new JsonObject
        {
            ["measure"] = "throughput",
            ["streams"] = streams,
            ["bytesEachWay"] = bytes,
            ["runs"] = Json.Array(mbps),
            ["mbps"] = Json.Median(mbps),
            ["best"] = mbps.Max(),
            ["warmupRounds"] = warmupRounds,
            ["warmupSeconds"] = warmedFor,
        };
    }

    /// <summary>
    /// Each lane repeats one full handshake (connect, upgrade, close) until <paramref name="seconds"/>
    /// are up; after one unmeasured handshake per lane.
    /// </summary>
    public static async Task<JsonObject> HandshakesAsync(IReadOnlyList<Func<Task>> lanes, int seconds)
    {
        foreach (var lane in lanes)
        {
            await lane();
        }

        int count = 0;
        long started = Stopwatch.GetTimestamp();
        var deadline = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(lanes.Select(async lane =>
        {
            while (Stopwatch.GetElapsedTime(started) < deadline)
            {
                await lane();
                Interlocked.Increment(ref count);
            }
        }));
        double elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new JsonObject
        {
            ["measure"] = "handshakes",
            ["concurrency"] = lanes.Count,
            ["count"] = count,
            ["seconds"] = elapsed,
            ["perSecond"] = count / elapsed,
        };
    }

    /// <summary>Times <paramref name="count"/> round trips after <paramref name="warmup"/> unmeasured ones.</summary>
    public static async Task<JsonObject> PingAsync(Func<Task> roundTrip, int count, int warmup)
    {
        var rtts = new List<double>(count);
        for (int i = 0; i < warmup + count; i++)
        {
            long started = Stopwatch.GetTimestamp();
            await roundTrip();
            if (i >= warmup)
            {
                rtts.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
        }

        rtts.Sort();
        return new JsonObject
        {
            ["measure"] = "ping",
            ["count"] = rtts.Count,
            ["p50Us"] = Json.Percentile(rtts, 0.5),
            ["p90Us"] = Json.Percentile(rtts, 0.9),
            ["p99Us"] = Json.Percentile(rtts, 0.99),
            ["maxUs"] = rtts[^1],
        };
    }

    /// <summary>Reads exactly <paramref name="buffer"/>'s length, or throws at a premature end.</summary>
    public static async ValueTask ReadExactlyAsync(Func<Memory<byte>, ValueTask<int>> read, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = await read(buffer);
            if (n == 0)
            {
                throw new IOException("The stream ended early.");
            }

            buffer = buffer[n..];
        }
    }
}
