using System.Globalization;
using ScottPlot;

namespace Rx.Network.PerfTool;

/// <summary>
/// The chart of docs/benchmarks.md, drawn with ScottPlot: throughput (1 and 16 streams),
/// handshakes per second and ping RTT percentiles for rxnet, js-libp2p and raw TCP, each bar
/// labelled with its figure. Handshakes and RTTs span orders of magnitude: log scales.
/// </summary>
internal static class Chart
{
    private static readonly (string Impl, string Name, Color Color)[] Series =
    [
        (Report.Rx, "rxnet (Noise + yamux)", Color.FromHex("#1f77b4")),
        (Report.Js, "js-libp2p (Noise + yamux)", Color.FromHex("#ff7f0e")),
        (Report.Tcp, "raw TCP", Color.FromHex("#7f7f7f")),
    ];

    public static void Draw(Results results, string path)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(3);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Grouped(
            multiplot.GetPlot(0),
            "Throughput, MB/s (higher is better)",
            [("1 stream", results.Throughput(1)), ("16 streams", results.Throughput(16))],
            log: false,
            legend: true);
        Grouped(
            multiplot.GetPlot(1),
            "Full handshakes per second (higher is better)",
            [("TCP + mss + Noise + yamux (raw TCP: connect + close)", results.Handshakes())],
            log: true,
            legend: false);
        Grouped(
            multiplot.GetPlot(2),
            "Ping RTT, µs (lower is better)",
            [("p50", results.Ping("p50Us")), ("p99", results.Ping("p99Us"))],
            log: true,
            legend: false);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        multiplot.SavePng(path, 1500, 520);
    }

    private static void Grouped(Plot plot, string title, (string Group, Dictionary<string, double> Figures)[] groups, bool log, bool legend)
    {
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        for (int g = 0; g < groups.Length; g++)
        {
            double center = g * (Series.Length + 1);
            ticks.Add(new Tick(center, groups[g].Group));
            for (int s = 0; s < Series.Length; s++)
            {
                if (!groups[g].Figures.TryGetValue(Series[s].Impl, out var value))
                {
                    continue;
                }

                double shown = log ? Math.Log10(Math.Max(value, 1)) : value;
                bars.Add(new Bar
                {
                    Position = center + s - ((Series.Length - 1) / 2.0),
                    Value = shown,
                    FillColor = Series[s].Color,
                    Label = value.ToString("N0", CultureInfo.InvariantCulture),
                });
            }
        }

        var plottable = plot.Add.Bars(bars);
        plottable.ValueLabelStyle.FontSize = 13;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Margins(bottom: 0, top: legend ? 0.45 : 0.15);
        if (log)
        {
            var logTicks = new ScottPlot.TickGenerators.NumericManual();
            for (int e = 0; e <= 6; e++)
            {
                logTicks.AddMajor(e, Math.Pow(10, e).ToString("N0", CultureInfo.InvariantCulture));
            }

            plot.Axes.Left.TickGenerator = logTicks;
        }

        plot.Title(title, size: 15);
        if (legend)
        {
            plot.Legend.ManualItems.AddRange(Series.Select(s => new LegendItem { LabelText = s.Name, FillColor = s.Color }));
            plot.Legend.IsVisible = true;
            plot.Legend.Alignment = Alignment.UpperRight;
        }
    }
}
