using System.Diagnostics;
using System.Runtime.CompilerServices;
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

        // What this client process spends while the rounds are timed: its CPU per payload byte
        // (its own end only; the server's is not seen here) and the JIT still compiling then.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        long jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
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
            ["clientCpuSecondsPerGB"] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / (2.0 * bytes * streams * runs / 1e9),
            ["jitMsInRuns"] = (System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds,
            ["jitMethodsInRuns"] = System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods,
        };
    }

    /// <summary>
    /// Each lane repeats one full handshake (connect, upgrade, close) until <paramref name="seconds"/>
    /// are up, after unmeasured handshakes on every lane until <paramref name="warmup"/> has passed
    /// (at least one per lane).
    /// </summary>
    /// <remarks>
    /// The warm-up follows <see cref="ThroughputAsync"/>'s rule, for the same reason: a fresh
    /// client's JIT needs seconds of load to settle, and a handshake path is mostly code run once
    /// per connection (key agreement, negotiation, the swarm's bookkeeping), so rounds taken before
    /// that measure the compiler (docs/benchmarks.md, session 10). The server is a long-lived
    /// process, warmed by the first client's warm-up.
    /// </remarks>
    public static async Task<JsonObject> HandshakesAsync(IReadOnlyList<Func<Task>> lanes, int seconds, TimeSpan warmup)
    {
        long warming = Stopwatch.GetTimestamp();
        int warmupHandshakes = 0;
        await Task.WhenAll(lanes.Select(async lane =>
        {
            do
            {
                await lane();
                Interlocked.Increment(ref warmupHandshakes);
            }
            while (Stopwatch.GetElapsedTime(warming) < warmup);
        }));
        double warmedFor = Stopwatch.GetElapsedTime(warming).TotalSeconds;

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
            ["warmupHandshakes"] = warmupHandshakes,
            ["warmupSeconds"] = warmedFor,
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

    /// <summary>
    /// Ping round trips while a bulk upload saturates the same connection (for raw TCP: a second
    /// socket to the same server), and what the upload keeps of its solo throughput.
    /// </summary>
    /// <param name="bulk">Uploads (perf, nothing asked back) until its token is cancelled, adding every byte sent to the counter; returns once the exchange ended cleanly.</param>
    /// <param name="openPing">Opens a ping stream (socket) for one phase: its round trip, and how to close it. A stream per phase, because js-libp2p's ping server ends a stream 10 s after it opened.</param>
    /// <param name="pings">Measured round trips per round (at most <see cref="PingPhase"/> of them).</param>
    /// <param name="rounds">Rounds: each times the upload alone for <paramref name="solo"/>, then the round trips beside it.</param>
    /// <param name="solo">How long the upload runs alone in each round.</param>
    /// <param name="warmup">Unmeasured upload and round trips side by side first (the JIT settling, as for throughput).</param>
    /// <remarks>
    /// In each phase the counter is read only after <see cref="Ramp"/> of upload, so that the
    /// figure is the saturated connection, not the stream's window opening up. MB/s is payload
    /// one way (the upload), unlike the throughput rows, which count both ways.
    /// </remarks>
    public static async Task<JsonObject> PingUnderLoadAsync(Func<StrongBox<long>, CancellationToken, Task> bulk, Func<Task<PingLane>> openPing, int pings, int rounds, TimeSpan solo, TimeSpan warmup)
    {
        var rtts = new List<double>(pings * rounds);
        var soloMbps = new List<double>();
        var loadedMbps = new List<double>();
        // Each ping stream is closed once its upload has stopped (the js peer's rule: there its
        // close would otherwise wait behind the upload's backlog).
        var warmupPing = await openPing();
        await UnderLoadAsync(async () =>
        {
            long warming = Stopwatch.GetTimestamp();
            do
            {
                await warmupPing.RoundTrip();
            }
            while (Stopwatch.GetElapsedTime(warming) < warmup);
        });
        await warmupPing.Close();

        for (int round = 0; round < rounds; round++)
        {
            soloMbps.Add(await UnderLoadAsync(() => Task.Delay(solo)));
            var ping = await openPing();
            loadedMbps.Add(await UnderLoadAsync(async () =>
            {
                long phase = Stopwatch.GetTimestamp();
                for (int i = 0; i < pings && Stopwatch.GetElapsedTime(phase) < PingPhase; i++)
                {
                    long started = Stopwatch.GetTimestamp();
                    await ping.RoundTrip();
                    rtts.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                }
            }));
            await ping.Close();
        }

        rtts.Sort();
        double soloMedian = Json.Median(soloMbps), loadedMedian = Json.Median(loadedMbps);
        return new JsonObject
        {
            ["measure"] = "ping-under-load",
            ["count"] = rtts.Count,
            ["p50Us"] = Json.Percentile(rtts, 0.5),
            ["p90Us"] = Json.Percentile(rtts, 0.9),
            ["p99Us"] = Json.Percentile(rtts, 0.99),
            ["maxUs"] = rtts[^1],
            ["soloMBps"] = soloMedian,
            ["loadedMBps"] = loadedMedian,
            ["soloRuns"] = Json.Array(soloMbps),
            ["loadedRuns"] = Json.Array(loadedMbps),
            ["kept"] = loadedMedian / soloMedian,
        };

        // Runs the upload, waits Ramp, then times `during` and returns the upload's MB/s over it.
        async Task<double> UnderLoadAsync(Func<Task> during)
        {
            var sent = new StrongBox<long>();
            using var stop = new CancellationTokenSource();
            var uploading = bulk(sent, stop.Token);
            try
            {
                await Task.WhenAny(uploading, Task.Delay(Ramp));
                if (uploading.IsCompleted)
                {
                    await uploading; // failed early: surface why
                    throw new InvalidOperationException("The upload ended before it was stopped.");
                }

                long from = Interlocked.Read(ref sent.Value);
                long started = Stopwatch.GetTimestamp();
                await during();
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                return (Interlocked.Read(ref sent.Value) - from) / seconds / 1e6;
            }
            finally
            {
                await stop.CancelAsync();
                await uploading;
            }
        }
    }

    /// <summary>A loaded phase ends after its round trips or this long (js-libp2p's ping server ends a stream 10 s after it opened; the js peer keeps the same rule).</summary>
    public static readonly TimeSpan PingPhase = TimeSpan.FromSeconds(5);

    /// <summary>A ping stream (socket) of ping under load: one checked 32-byte round trip, and its close.</summary>
    public sealed record PingLane(Func<Task> RoundTrip, Func<ValueTask> Close);

    /// <summary>How long a bulk upload runs before it is measured (its window and the socket buffers opening up).</summary>
    public static readonly TimeSpan Ramp = TimeSpan.FromMilliseconds(300);

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
