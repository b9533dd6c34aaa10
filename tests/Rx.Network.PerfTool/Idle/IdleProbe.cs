using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rx.Network.PerfTool.Idle;

/// <summary>
/// Issue #18's idle-connection probe (<c>idle</c>): one listener process, several dialer processes
/// holding idle connections to it (each its own network), and the listener's managed heap (after a
/// full compacting collection) and RSS at 0 and at each step; per-connection figures are the growth
/// over the baseline divided by the connections. With <c>--gcdump TOOL</c>, the listener's heap is
/// dumped at the baseline and at <c>--dump-at</c> connections and the growth per connection shown
/// by type: what one idle connection holds.
/// </summary>
internal static partial class IdleProbe
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(Options options)
    {
        int dialerCount = options.Int("dialers", 4);
        int[] steps = [.. options.Text("steps", "1000,5000,10000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        int[] dumpAt = [.. options.Text("dump-at", string.Join(',', steps.Take(2))).Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        string? gcdump = options.Text("gcdump", "") is { Length: > 0 } tool ? tool : null;
        string label = options.Text("label", "rxnet");
        string security = options.Text("security", "noise");

        await using var listener = JsonChild.StartPerfTool("idle-listen", "--max", (steps.Max() + 1000).ToString(CultureInfo.InvariantCulture), "--security", security);
        var listening = await listener.NextAsync(TimeSpan.FromMinutes(1));
        string address = listening.GetProperty("addrs")[0].GetString()!;
        Console.Error.WriteLine($"listener {listener.Pid} at {address}; {listening.GetProperty("limitsRaised").GetString()}");

        var dialers = new List<JsonChild>();
        try
        {
            for (int i = 0; i < dialerCount; i++)
            {
                dialers.Add(JsonChild.StartPerfTool("idle-dial", address, "--security", security));
            }

            var baseline = await listener.AskAsync("gc", Patience);
            Dictionary<string, (long Count, long Bytes)>? before = gcdump is null ? null : await DumpAsync(gcdump, listener.Pid, "0");
            int dumped = 0;
            Emit(label, 0, baseline, baseline, baseline, null);
            var previous = baseline;
            int total = 0;
            foreach (int step in steps)
            {
                int add = step - total;
                long started = Stopwatch.GetTimestamp();
                var answers = await Task.WhenAll(dialers.Select((d, i) => d.AskAsync($"dial {add / dialerCount + (i < add % dialerCount ? 1 : 0)}", Patience)));
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                int failed = answers.Sum(a => a.GetProperty("failed").GetInt32());
                if (failed > 0)
                {
                    Console.Error.WriteLine($"{failed} dials failed; first: {answers.Select(a => a.GetProperty("firstError").GetString()).First(e => e is not null)}");
                }

                total = step;
                var stats = await listener.AskAsync("gc", Patience);
                Emit(label, step, baseline, previous, stats, add / seconds);
                previous = stats;
                if (before is not null && dumpAt.Contains(step))
                {
                    var after = await DumpAsync(gcdump!, listener.Pid, step.ToString(CultureInfo.InvariantCulture));
                    EmitBreakdown(label, dumped, step, before, after);
                    (before, dumped) = (after, step);
                }
            }

            // Held idle past a keep-alive round (yamux pings every 30 s, answered within 10 s):
            // the connections should all still be there.
            int hold = options.Int("hold", 45);
            if (hold > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(hold));
                var held = await listener.AskAsync("gc", Patience);
                Emit(label, total, baseline, previous, held, null);
            }

            var dialerStats = await Task.WhenAll(dialers.Select(d => d.AskAsync("gc", Patience)));
            Json.Emit(new JsonObject
            {
                ["impl"] = label,
                ["measure"] = "idle-dialers",
                ["dialerHeapMB"] = dialerStats.Sum(s => s.GetProperty("heapBytes").GetInt64()) / 1e6,
                ["dialerRssMB"] = dialerStats.Sum(s => s.GetProperty("rssBytes").GetInt64()) / 1e6,
                ["note"] = "each dialing connection has its own network: these include a network per connection",
            });
        }
        finally
        {
            foreach (var dialer in dialers)
            {
                await dialer.DisposeAsync();
            }
        }

        return 0;
    }

    /// <summary>
    /// One step: the growth over the baseline per connection, and the marginal cost (the growth since
    /// the previous step per connection added), which leaves out what the process keeps whatever the
    /// count (ArrayPool's cached arrays from the handshakes, tables sized once).
    /// </summary>
    private static void Emit(string label, int step, JsonElement baseline, JsonElement previous, JsonElement stats, double? dialsPerSecond)
    {
        long heap = stats.GetProperty("heapBytes").GetInt64(), rss = stats.GetProperty("rssBytes").GetInt64();
        long heap0 = baseline.GetProperty("heapBytes").GetInt64(), rss0 = baseline.GetProperty("rssBytes").GetInt64();
        var line = new JsonObject
        {
            ["impl"] = label,
            ["measure"] = "idle",
            ["connections"] = stats.GetProperty("connections").GetInt32(),
            ["target"] = step,
            ["heapMB"] = heap / 1e6,
            ["rssMB"] = rss / 1e6,
            ["committedMB"] = stats.GetProperty("committedBytes").GetInt64() / 1e6,
            ["timers"] = stats.GetProperty("timers").GetInt64(),
            ["threads"] = stats.GetProperty("threads").GetInt32(),
            ["disconnects"] = JsonNode.Parse(stats.GetProperty("disconnects").GetRawText()),
        };
        int connections = stats.GetProperty("connections").GetInt32();
        if (connections > 0)
        {
            line["heapKiBPerConnection"] = Math.Round((heap - heap0) / 1024.0 / connections, 1);
            line["rssKiBPerConnection"] = Math.Round((rss - rss0) / 1024.0 / connections, 1);
            int added = connections - previous.GetProperty("connections").GetInt32();
            if (added > 0 && previous.GetProperty("connections").GetInt32() > 0)
            {
                line["marginalHeapKiBPerConnection"] = Math.Round((heap - previous.GetProperty("heapBytes").GetInt64()) / 1024.0 / added, 1);
                line["marginalRssKiBPerConnection"] = Math.Round((rss - previous.GetProperty("rssBytes").GetInt64()) / 1024.0 / added, 1);
            }

            line["timersPerConnection"] = Math.Round((stats.GetProperty("timers").GetInt64() - baseline.GetProperty("timers").GetInt64()) / (double)connections, 2);
            line["dialsPerSecond"] = dialsPerSecond is { } d ? Math.Round(d, 1) : null;
        }

        Json.Emit(line);
    }

    /// <summary>
    /// The heap's growth per connection added between two dumps, by type, largest first (what covers
    /// 98 % of it, at most 40 types). dotnet-gcdump's report gives a size and a count per type (and
    /// per size class of arrays); bytes are their product, and on a large heap its event stream may
    /// lose objects (it says so on stderr): the total is printed beside the heap's own growth.
    /// </summary>
    private static void EmitBreakdown(string label, int from, int step, Dictionary<string, (long Count, long Bytes)> before, Dictionary<string, (long Count, long Bytes)> after)
    {
        int connections = step - from;
        var growth = after.Select(kv =>
        {
            var old = before.GetValueOrDefault(kv.Key);
            return (Type: kv.Key, Count: kv.Value.Count - old.Count, Bytes: kv.Value.Bytes - old.Bytes);
        }).Where(g => g.Bytes > 0).OrderByDescending(g => g.Bytes).ToList();
        long sum = growth.Sum(g => g.Bytes);
        var types = new JsonArray();
        long shown = 0;
        foreach (var g in growth)
        {
            if (types.Count >= 40 || shown >= sum * 0.98)
            {
                break;
            }

            shown += g.Bytes;
            types.Add(new JsonObject
            {
                ["type"] = g.Type,
                ["perConnection"] = Math.Round(g.Count / (double)connections, 2),
                ["bytesPerConnection"] = Math.Round(g.Bytes / (double)connections),
            });
        }

        Json.Emit(new JsonObject
        {
            ["impl"] = label,
            ["measure"] = "idle-breakdown",
            ["from"] = from,
            ["to"] = step,
            ["bytesPerConnection"] = Math.Round(sum / (double)connections),
            ["types"] = types,
        });
    }

    /// <summary>Dumps the process's heap with dotnet-gcdump and reads its report: bytes and count by type.</summary>
    private static async Task<Dictionary<string, (long Count, long Bytes)>> DumpAsync(string tool, int pid, string name)
    {
        string file = Path.Combine(Path.GetTempPath(), $"rxnet-idle-{pid}-{name}.gcdump");
        await RunAsync(tool, "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", file);
        string report = await RunAsync(tool, "report", file);
        File.Delete(file);
        await File.WriteAllTextAsync(Path.ChangeExtension(file, ".txt"), report);
        var types = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
        foreach (var line in report.Split('\n'))
        {
            var match = ReportLine().Match(line);
            if (match.Success)
            {
                string type = match.Groups[3].Value.Trim();
                long bytes = long.Parse(match.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
                long count = long.Parse(match.Groups[2].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
                var old = types.GetValueOrDefault(type);
                types[type] = (old.Count + count, old.Bytes + (bytes * count));
            }
        }

        return types;
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Patience);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {await error}");
        }

        return await output;
    }

    // dotnet-gcdump report: "    size  count  type", size per object (thousands separated by commas).
    [GeneratedRegex(@"^\s*([\d,]+)\s+([\d,]+)\s+(\S.*)$")]
    private static partial Regex ReportLine();
}
