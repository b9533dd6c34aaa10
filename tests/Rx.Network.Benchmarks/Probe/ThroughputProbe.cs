using System.Diagnostics;
using System.Globalization;
using Rx.Network.Benchmarks.Pipeline;
using Rx.Network.Benchmarks.Support;
using Rx.Network.Benchmarks.Throughput;
using Rx.Network.Muxing;
using Rx.Network.Transports;

namespace Rx.Network.Benchmarks.Probe;

/// <summary>
/// A quick in-process probe, outside BenchmarkDotNet: runs each transfer scenario a few times and
/// prints wall time, MB/s, CPU time per GB (on a machine with few cores, throughput is bounded by
/// CPU), allocated bytes per KiB, GC counts, and with <c>--alloc</c> the types sampled by the
/// runtime's allocation ticks. Meant for profiling (e.g. under <c>perf</c>) and for
/// before/after comparisons while tuning.
/// </summary>
/// <remarks>
/// Usage: <c>probe [scenario ...] [--mib N] [--runs N] [--frame yamuxMaxFrameSize] [--alloc]</c>; scenarios: raw, plaintext,
/// noise, pipe, sc-plain, sc-noise, yamux, plain-yamux, noise-yamux (default: raw plaintext noise).
/// </remarks>
public static class ThroughputProbe
{
    private static YamuxOptions yamux = YamuxOptions.Default;

    private static readonly Dictionary<string, Func<Task<ITransferScenario>>> Scenarios = new()
    {
        ["raw"] = async () => await RawTcpScenario.StartAsync().ConfigureAwait(false),
        ["plaintext"] = async () => await NetworkScenario.StartAsync(SecurityProtocol.Plaintext, yamux).ConfigureAwait(false),
        ["noise"] = async () => await NetworkScenario.StartAsync(SecurityProtocol.Noise, yamux).ConfigureAwait(false),
        ["pipe"] = () => Task.FromResult<ITransferScenario>(new PipeCopyScenario()),
        ["sc-plain"] = () => Task.FromResult<ITransferScenario>(Pair(ChannelPairs.Plaintext())),
        ["sc-noise"] = async () => Pair(await ChannelPairs.NoiseAsync().ConfigureAwait(false)),
        ["yamux"] = async () =>
        {
            var (a, b) = InMemoryDuplexChannel.CreatePair();
            return await YamuxScenario.StartAsync(a, b, yamux).ConfigureAwait(false);
        },
        ["plain-yamux"] = async () =>
        {
            var (a, b) = ChannelPairs.Plaintext();
            return await YamuxScenario.StartAsync(a, b, yamux).ConfigureAwait(false);
        },
        ["noise-yamux"] = async () =>
        {
            var (a, b) = await ChannelPairs.NoiseAsync().ConfigureAwait(false);
            return await YamuxScenario.StartAsync(a, b, yamux).ConfigureAwait(false);
        },
    };

    public static async Task<int> RunAsync(string[] args)
    {
        long bytes = Payload.TransferSize;
        int runs = 5;
        bool sampleAllocations = false;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--mib":
                    bytes = long.Parse(args[++i], CultureInfo.InvariantCulture) * 1024 * 1024;
                    break;
                case "--runs":
                    runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--frame":
                    yamux = new YamuxOptions { MaxFrameSize = int.Parse(args[++i], CultureInfo.InvariantCulture) };
                    break;
                case "--alloc":
                    sampleAllocations = true;
                    break;
                default:
                    names.Add(args[i]);
                    break;
            }
        }

        if (names.Count == 0)
        {
            names.AddRange(["raw", "plaintext", "noise"]);
        }

        foreach (var name in names)
        {
            if (!Scenarios.TryGetValue(name, out var create))
            {
                Console.Error.WriteLine($"Unknown scenario {name}; known: {string.Join(", ", Scenarios.Keys)}");
                return 2;
            }

            await using var scenario = await create().ConfigureAwait(false);
            await scenario.TransferAsync(bytes).ConfigureAwait(false); // warm-up: JIT, window growth, pools
            using var sampler = sampleAllocations ? new AllocationSampler() : null;
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            var clock = Stopwatch.StartNew();
            for (int run = 0; run < runs; run++)
            {
                await scenario.TransferAsync(bytes).ConfigureAwait(false);
            }

            clock.Stop();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            double total = (double)bytes * runs;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name,-12} {total / clock.Elapsed.TotalSeconds / 1e6,8:N1} MB/s  cpu {cpu.TotalSeconds / (total / 1e9),6:N2} s/GB " +
                $"({cpu.TotalSeconds / clock.Elapsed.TotalSeconds:N2} cores)  alloc {allocated * 1024.0 / total,7:N3} B/KiB " +
                $"({allocated / runs,12:N0} B/op)  gc {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}"));
            sampler?.Print(Console.Out);
        }

        return 0;
    }

    private static SecureChannelScenario Pair((Security.ISecureChannel A, Security.ISecureChannel B) pair) => new(pair.A, pair.B);
}
