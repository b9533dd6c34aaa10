using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Rx.Network.PerfTool;

/// <summary>
/// Reads the result lines of one compare.sh run and prints the figures, their ratios to the
/// same-run baselines (raw TCP, js-libp2p) and the issue's targets as a Markdown table; draws the
/// chart with ScottPlot.
/// </summary>
internal static class Report
{
    public const string Rx = "rxnet";
    public const string Js = "js-libp2p";
    public const string Tcp = "tcp";

    /// <summary>rxnet with TLS instead of Noise (compare.sh's <c>--security tls</c> client and server).</summary>
    public const string RxTls = "rxnet-tls";

    public static int Run(Options options)
    {
        var lines = File.ReadAllLines(options.Positional(0, "RESULTS.jsonl"))
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(o => o["impl"] is not null)
            .ToList();
        var results = new Results(lines);
        Console.Out.Write(Table(results));
        var chart = options.Text("chart", "");
        if (chart.Length > 0)
        {
            Chart.Draw(results, chart);
            Console.Out.WriteLine($"\nchart: {chart}");
        }

        return 0;
    }

    private static string Table(Results r)
    {
        var s = new StringBuilder();
        s.AppendLine("| figure | rxnet | js-libp2p | raw TCP | rxnet / TCP | rxnet / js |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|");
        Row(s, "throughput, 1 stream (MB/s, median)", r.Throughput(1), higherIsBetter: true);
        Row(s, "throughput, 1 stream (MB/s, best run)", r.Throughput(1, "best"), higherIsBetter: true);
        Row(s, "throughput, 16 streams (MB/s, median)", r.Throughput(16), higherIsBetter: true);
        Row(s, "throughput, 16 streams (MB/s, best run)", r.Throughput(16, "best"), higherIsBetter: true);
        Row(s, "full handshakes per second", r.Handshakes(), higherIsBetter: true);
        Row(s, "ping RTT p50 (µs)", r.Ping("p50Us"), higherIsBetter: false);
        Row(s, "ping RTT p99 (µs)", r.Ping("p99Us"), higherIsBetter: false);
        Row(s, "ping RTT p50 beside a saturating upload on the same connection (µs; raw TCP: a second socket)", r.UnderLoad("p50Us"), higherIsBetter: false);
        Row(s, "ping RTT p99 beside a saturating upload on the same connection (µs; raw TCP: a second socket)", r.UnderLoad("p99Us"), higherIsBetter: false);
        Row(s, "that upload alone (MB/s, one way)", r.UnderLoad("soloMBps"), higherIsBetter: true);
        Row(s, "that upload beside the pings (MB/s, one way)", r.UnderLoad("loadedMBps"), higherIsBetter: true);
        double rxCpu = r.Rx("alloc", "cpuSecondsPerGB"), tcpCpu = r.Field(Tcp, "cpu", "cpuSecondsPerGB");
        if (!double.IsNaN(rxCpu) && !double.IsNaN(tcpCpu))
        {
            // CPU per byte hardly depends on the neighbours: its ratio is the throughput ratio two
            // otherwise idle cores would give, both ends sharing them.
            s.AppendLine(Inv($"| CPU seconds per GB of payload, both ends in one process | {rxCpu:0.00} | – | {tcpCpu:0.00} | {tcpCpu / rxCpu:0.00} × (CPU-bound throughput ratio) | – |"));
        }

        var counted = r.ThroughputRunCount(1);
        if (counted.Count > 0)
        {
            s.AppendLine();
            double warmup = r.ShortestWarmup();
            string warmed = double.IsNaN(warmup) ? "" : Inv($", each client process after at least {warmup:0.0} s of unmeasured rounds (its JIT settling)");
            s.AppendLine(Inv($"Throughput rows: median and best of {string.Join(", ", counted.Select(c => $"{c.Value} rounds of {c.Key}"))} (1 stream; 16 streams alike), measured in turns so that load on the machine weighs on each alike{warmed}."));
            var perProcess = r.ThroughputPerProcess(1);
            if (perProcess.Values.Any(v => v.Length > 1))
            {
                s.AppendLine(Inv($"Medians of each client process, 1 stream (MB/s): {string.Join("; ", perProcess.Select(p => $"{p.Key} {string.Join(" / ", p.Value.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))}"))}."));
            }
        }

        var cross = r.Cross();
        if (cross.Count > 0)
        {
            s.AppendLine();
            s.AppendLine("| cross-implementation (client → server) | throughput 1 stream (MB/s) |");
            s.AppendLine("|---|---:|");
            foreach (var (label, mbps) in cross)
            {
                s.AppendLine(Inv($"| {label} | {mbps:N0} |"));
            }
        }

        TlsTable(s, r);

        s.AppendLine();
        s.AppendLine("| target | measured | met |");
        s.AppendLine("|---|---:|---|");
        var thr = r.Throughput(1);
        Target(s, "Noise + yamux, 1 stream ≥ 0.4 × raw TCP", Ratio(thr, Rx, Tcp), v => Inv($"{v:0.00} ×"), v => v >= 0.4);
        Target(
            s,
            "(the same, from CPU cost per byte: raw TCP CPU-s/GB ÷ rxnet CPU-s/GB)",
            r.Field(Tcp, "cpu", "cpuSecondsPerGB") / r.Rx("alloc", "cpuSecondsPerGB"),
            v => Inv($"{v:0.00} ×"),
            v => v >= 0.4);
        Target(s, "Noise + yamux, 1 stream ≥ 2.5 × js-libp2p", Ratio(thr, Rx, Js), v => Inv($"{v:0.00} ×"), v => v >= 2.5);
        Target(s, "TCP + TLS, 1 stream, within 10 % of TCP + Noise", Ratio(thr, RxTls, Rx), v => Inv($"{v:0.00} ×"), v => v >= 0.9);
        Target(s, "≥ 500 full handshakes per second", r.Handshakes().GetValueOrDefault(Rx, double.NaN), v => Inv($"{v:N0} /s"), v => v >= 500);
        Target(
            s,
            "(the same, from CPU cost: both ends in one process, 2 cores / CPU per handshake)",
            r.Rx("handshake-cpu", "capacityPerSecond"),
            v => Inv($"{v:N0} /s ({r.Rx("handshake-cpu", "cpuMicrosecondsPerHandshake"):N0} µs CPU each)"),
            v => v >= 500);
        Target(s, "ping RTT p50 ≤ 150 µs", r.Ping("p50Us").GetValueOrDefault(Rx, double.NaN), v => Inv($"{v:N0} µs"), v => v <= 150);
        Target(s, "ping RTT p99 ≤ 1 ms", r.Ping("p99Us").GetValueOrDefault(Rx, double.NaN), v => Inv($"{v:N0} µs"), v => v <= 1000);
        Target(
            s,
            "ping RTT p99 ≤ 2 ms beside a saturating upload on the same connection",
            r.UnderLoad("p99Us").GetValueOrDefault(Rx, double.NaN),
            v => Inv($"{v:N0} µs"),
            v => v <= 2000);
        Target(s, "… while that upload keeps ≥ 90 % of its solo throughput", r.UnderLoad("kept").GetValueOrDefault(Rx, double.NaN), v => Inv($"{v:P0}"), v => v >= 0.9);
        Target(s, "steady state ≤ 0.01 B allocated per payload byte", r.Rx("alloc", "bytesPerPayloadByte"), v => Inv($"{v:0.0000} B/B ({r.Rx("alloc", "cpuSecondsPerGB"):0.00} CPU-s/GB)"), v => v <= 0.01);
        double streams = r.Rx("memory", "streams");
        Target(
            s,
            double.IsNaN(streams) || streams == 10_000 ? "10,000 open streams on one connection within 200 MB" : Inv($"(only {streams:N0} streams in this run) open streams on one connection within 200 MB"),
            r.Rx("memory", "streamsProcessMB"),
            v => Inv($"{v:N0} MB process"),
            v => v <= 200 && streams >= 10_000);
        Target(s, "memory per idle connection (both ends), reported", r.Rx("memory", "bytesPerIdleConnection"), v => Inv($"{v / 1024:N0} KiB managed, {r.Rx("memory", "rssPerIdleConnection") / 1024:N0} KiB RSS"), _ => true);
        return s.ToString();
    }

    /// <summary>rxnet over TCP + TLS beside TCP + Noise, when the run measured it.</summary>
    private static void TlsTable(StringBuilder s, Results r)
    {
        var rows = new (string Name, Dictionary<string, double> Figures)[]
        {
            ("throughput, 1 stream (MB/s, median)", r.Throughput(1)),
            ("throughput, 16 streams (MB/s, median)", r.Throughput(16)),
            ("full handshakes per second", r.Handshakes()),
            ("ping RTT p50 (µs)", r.Ping("p50Us")),
            ("ping RTT p99 (µs)", r.Ping("p99Us")),
            ("ping RTT p99 beside a saturating upload (µs)", r.UnderLoad("p99Us")),
        };
        if (!rows.Any(row => row.Figures.ContainsKey(RxTls)))
        {
            return;
        }

        s.AppendLine();
        s.AppendLine("| figure | rxnet TCP + Noise | rxnet TCP + TLS | TLS / Noise |");
        s.AppendLine("|---|---:|---:|---:|");
        foreach (var (name, figures) in rows)
        {
            string Cell(string impl) => figures.TryGetValue(impl, out var v) ? Inv($"{v:N0}") : "–";
            var ratio = Ratio(figures, RxTls, Rx);
            s.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Cell(Rx)} | {Cell(RxTls)} | {(double.IsNaN(ratio) ? "–" : Inv($"{ratio:0.00} ×"))} |");
        }
    }

    private static double Ratio(Dictionary<string, double> figures, string a, string b) =>
        figures.TryGetValue(a, out var x) && figures.TryGetValue(b, out var y) && y > 0 ? x / y : double.NaN;

    private static void Row(StringBuilder s, string name, Dictionary<string, double> f, bool higherIsBetter)
    {
        string Cell(string impl) => f.TryGetValue(impl, out var v) ? Inv($"{v:N0}") : "–";
        string RatioCell(string other)
        {
            var ratio = Ratio(f, Rx, other);
            return double.IsNaN(ratio) ? "–" : Inv($"{ratio:0.00} ×") + (higherIsBetter ? "" : " (lower is better)");
        }

        s.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Cell(Rx)} | {Cell(Js)} | {Cell(Tcp)} | {RatioCell(Tcp)} | {RatioCell(Js)} |");
    }

    private static void Target(StringBuilder s, string name, double value, Func<double, string> format, Func<double, bool> met)
    {
        var shown = double.IsNaN(value) ? "not measured" : format(value);
        var verdict = double.IsNaN(value) ? "–" : met(value) ? "yes" : "**no**";
        s.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {shown} | {verdict} |");
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
