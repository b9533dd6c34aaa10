using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Rx.Network.Benchmarks.Probe;
using Rx.Network.Benchmarks.Support;

namespace Rx.Network.Benchmarks;

/// <summary>
/// Entry point: BenchmarkDotNet's switcher (pass <c>--filter</c>, <c>--job</c>, …), with the
/// memory diagnoser and payload columns always on and a short job unless <c>--job</c> is given.
/// <c>probe</c> as the first argument runs the quick Stopwatch/allocation probe instead.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "probe")
        {
            return await ThroughputProbe.RunAsync(args[1..]);
        }

        IConfig config = DefaultConfig.Instance
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(PayloadColumn.Throughput, PayloadColumn.BestThroughput, PayloadColumn.AllocatedPerKiB);
        if (!args.Contains("--job") && !args.Contains("-j"))
        {
            // Two shared cores: a short job (1 launch, 3 warm-ups, 3 iterations) keeps the whole
            // suite within minutes; pass --job default for tighter confidence intervals.
            config = config.AddJob(Job.ShortRun);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
