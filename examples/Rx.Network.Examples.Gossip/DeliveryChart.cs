using ScottPlot;

namespace Rx.Network.Examples.Gossip;

/// <summary>Draws delivery over time: the share of peers reached against virtual time.</summary>
public static class DeliveryChart
{
    /// <summary>Writes the chart of <paramref name="result"/> to <paramref name="path"/> as a PNG.</summary>
    /// <param name="result">The simulation's result.</param>
    /// <param name="path">Where to write.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static void Save(GossipResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(path);
        var times = result.DeliveryTimes;
        var xs = new double[times.Count + 1];
        var ys = new double[times.Count + 1];
        for (int i = 0; i < times.Count; i++)
        {
            xs[i + 1] = times[i].TotalMilliseconds;
            ys[i + 1] = 100.0 * (i + 1) / result.Peers;
        }

        var plot = new Plot();
        var line = plot.Add.ScatterLine(xs, ys);
        line.LineWidth = 2;
        line.ConnectStyle = ConnectStyle.StepHorizontal;
        plot.Title($"Flood gossip: {result.Peers:N0} peers, {result.Links:N0} links (virtual time)");
        plot.XLabel("virtual time since publication (ms)");
        plot.YLabel("peers reached (%)");
        plot.Axes.SetLimitsY(0, 105);
        plot.SavePng(path, 900, 500);
    }
}
