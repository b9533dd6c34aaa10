using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rx.Network.PerfTool;

/// <summary>Results are one JSON object per line on stdout, the same shape the js peer prints.</summary>
internal static class Json
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Emit(JsonObject line) => Console.Out.WriteLine(line.ToJsonString(Compact));

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[(sorted.Length - 1) / 2];
    }

    /// <summary>Nearest-rank percentile of sorted samples, <paramref name="p"/> in 0..1 (the js peer uses the same rule).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        int rank = Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1);
        return sorted[rank];
    }

    public static JsonArray Array(IEnumerable<double> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(Math.Round(v, 3)))]);
}
