using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Rx.Network.Benchmarks.Support;

/// <summary>
/// Columns derived from <see cref="PayloadBytesAttribute"/>: throughput (MB/s, 10^6 bytes per
/// second of mean time) and allocation per KiB of payload (from the memory diagnoser, which
/// counts every thread of the process: both ends of a connection, the pumps and the loops).
/// </summary>
public sealed class PayloadColumn : IColumn
{
    private readonly Kind kind;

    private PayloadColumn(Kind kind) => this.kind = kind;

    private enum Kind
    {
        Throughput,
        BestThroughput,
        AllocatedPerKiB,
    }

    /// <summary>MB/s from the mean time.</summary>
    public static IColumn Throughput { get; } = new PayloadColumn(Kind.Throughput);

    /// <summary>
    /// MB/s from the fastest iteration: on a shared machine other processes only ever slow an
    /// iteration down, so this is the better estimate of what the code can do alone.
    /// </summary>
    public static IColumn BestThroughput { get; } = new PayloadColumn(Kind.BestThroughput);

    /// <summary>Allocated bytes per KiB of payload.</summary>
    public static IColumn AllocatedPerKiB { get; } = new PayloadColumn(Kind.AllocatedPerKiB);

    public string Id => "Payload." + kind;

    public string ColumnName => kind switch
    {
        Kind.Throughput => "MB/s",
        Kind.BestThroughput => "MB/s best",
        _ => "Alloc B/KiB",
    };

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => (int)kind;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => kind switch
    {
        Kind.Throughput => "Payload throughput: payload bytes per operation / mean time, in 10^6 bytes per second",
        Kind.BestThroughput => "Payload throughput of the fastest iteration (payload bytes / minimum time), in 10^6 bytes per second",
        _ => "Bytes allocated (all threads) per 1024 bytes of payload",
    };

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var payload = PayloadOf(benchmarkCase);
        var report = summary[benchmarkCase];
        if (payload is not { } bytes || report?.ResultStatistics is not { } statistics)
        {
            return "-";
        }

        if (kind != Kind.AllocatedPerKiB)
        {
            var seconds = (kind == Kind.Throughput ? statistics.Mean : statistics.Min) / 1e9;
            return (bytes / seconds / 1e6).ToString("N1", CultureInfo.InvariantCulture);
        }

        var allocated = report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);
        return allocated is { } perOperation
            ? (perOperation * 1024.0 / bytes).ToString("N3", CultureInfo.InvariantCulture)
            : "?";
    }

    public override string ToString() => ColumnName;

    /// <summary>The method's <see cref="PayloadBytesAttribute"/>, else a <c>FrameSize</c> parameter.</summary>
    private static long? PayloadOf(BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<PayloadBytesAttribute>() is { } attribute)
        {
            return attribute.Bytes;
        }

        return benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "FrameSize")?.Value is int frame ? frame : null;
    }
}
