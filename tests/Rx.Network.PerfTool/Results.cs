using System.Text.Json.Nodes;

namespace Rx.Network.PerfTool;

/// <summary>The result lines of one run, looked up by implementation and measurement.</summary>
internal sealed class Results(IReadOnlyList<JsonObject> lines)
{
    private static readonly string[] Implementations = [Report.Rx, Report.RxTls, Report.Js, Report.Tcp];

    /// <summary>
    /// MB/s of the throughput runs with <paramref name="streams"/> streams, per implementation: the
    /// median (<c>mbps</c>) or the fastest run (<c>best</c>; other load only ever slows a run down)
    /// of every run of every line, so that a measurement repeated in turns with the other
    /// implementations (compare.sh) counts as one sample.
    /// </summary>
    public Dictionary<string, double> Throughput(int streams, string field = "mbps") =>
        ThroughputRuns(streams).ToDictionary(r => r.Key, r => field == "best" ? r.Value.Max() : Json.Median(r.Value));

    /// <summary>How many throughput runs the pooled figures of <paramref name="streams"/> streams rest on, per implementation.</summary>
    public Dictionary<string, int> ThroughputRunCount(int streams) =>
        ThroughputRuns(streams).ToDictionary(r => r.Key, r => r.Value.Length);

    /// <summary>
    /// The median MB/s of each client process (each line) with <paramref name="streams"/> streams,
    /// per implementation, in the order they ran: the spread between processes, which the pooled
    /// median hides (docs/benchmarks.md, round 4: a process can run in a slow mode throughout).
    /// </summary>
    public Dictionary<string, double[]> ThroughputPerProcess(int streams) =>
        ThroughputLines(streams).ToDictionary(g => g.Key, g => g.Select(o => o["mbps"]!.GetValue<double>()).ToArray());

    /// <summary>
    /// The shortest warm-up any throughput line ran before its measured rounds, in seconds (NaN when
    /// no line says: results of a tool older than the time-based warm-up).
    /// </summary>
    public double ShortestWarmup() =>
        lines.Where(o => Measure(o) == "throughput" && o["warmupSeconds"] is not null)
            .Select(o => o["warmupSeconds"]!.GetValue<double>())
            .DefaultIfEmpty(double.NaN)
            .Min();

    /// <summary>Every throughput run with <paramref name="streams"/> streams, pooled over lines, per implementation.</summary>
    private Dictionary<string, double[]> ThroughputRuns(int streams) =>
        ThroughputLines(streams).ToDictionary(g => g.Key, g => g.SelectMany(o => o["runs"]!.AsArray().Select(v => v!.GetValue<double>())).ToArray());

    /// <summary>The throughput lines (one per client process) with <paramref name="streams"/> streams, grouped by implementation.</summary>
    private IEnumerable<IGrouping<string, JsonObject>> ThroughputLines(int streams) =>
        lines.Where(o => Implementations.Contains(Impl(o)) && Measure(o) == "throughput" && (int)o["streams"]! == streams)
            .GroupBy(Impl);

    public Dictionary<string, double> Handshakes() => Pick("handshakes", _ => true, "perSecond");

    public Dictionary<string, double> Ping(string field) => Pick("ping", _ => true, field);

    /// <summary>A field of the ping-under-load lines (a ping stream beside a saturating upload on the same connection).</summary>
    public Dictionary<string, double> UnderLoad(string field) => Pick("ping-under-load", _ => true, field);

    /// <summary>A field of the rxnet-only probes (alloc, memory), NaN when absent.</summary>
    public double Rx(string measure, string field) => Field(Report.Rx, measure, field);

    /// <summary>A field of the last line of <paramref name="impl"/> and <paramref name="measure"/>, NaN when absent.</summary>
    public double Field(string impl, string measure, string field) =>
        lines.LastOrDefault(o => Impl(o) == impl && Measure(o) == measure && o[field] is not null)?[field]?.GetValue<double>() ?? double.NaN;

    /// <summary>Single-stream throughput of the runs between implementations, labelled client → server.</summary>
    public List<(string Label, double Mbps)> Cross() =>
        [.. lines.Where(o => !Implementations.Contains(Impl(o)) && Measure(o) == "throughput" && (int)o["streams"]! == 1)
            .Select(o => (Impl(o), o["mbps"]!.GetValue<double>()))];

    private Dictionary<string, double> Pick(string measure, Func<JsonObject, bool> where, string field)
    {
        var picked = new Dictionary<string, double>();
        // A field may be null (the js peer writes NaN so): such a line does not count.
        foreach (var o in lines.Where(o => Implementations.Contains(Impl(o)) && Measure(o) == measure && where(o) && o[field] is not null))
        {
            picked[Impl(o)] = o[field]!.GetValue<double>();
        }

        return picked;
    }

    private static string Impl(JsonObject o) => (string)o["impl"]!;

    private static string? Measure(JsonObject o) => (string?)o["measure"];
}
