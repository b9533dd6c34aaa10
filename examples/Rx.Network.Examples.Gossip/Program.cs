using System.CommandLine;
using System.Globalization;
using Rx.Network.Examples.Gossip;

// gossip: flood one message through a mock network of N peers in virtual time; print when it
// reached whom (virtual), what it cost (wall time, memory), and draw delivery over time.
var peers = new Option<int>("--peers") { Description = "How many peers.", DefaultValueFactory = _ => 1000 };
var degree = new Option<int>("--degree") { Description = "How many random others each peer links to.", DefaultValueFactory = _ => 8 };
var seed = new Option<int>("--seed") { Description = "Seed of topology, latencies and keys.", DefaultValueFactory = _ => 1 };
var chart = new Option<string?>("--chart") { Description = "Where to write the PNG chart (default gossip.png; 'none' for no chart)." };
var root = new RootCommand("Flood gossip on the Rx.Network mock network, in virtual time.") { peers, degree, seed, chart };
root.SetAction(async (parse, _) =>
{
    var options = new GossipOptions { Peers = parse.GetValue(peers), Degree = parse.GetValue(degree), Seed = parse.GetValue(seed) };
    try
    {
        options.Validate();
    }
    catch (ArgumentOutOfRangeException e)
    {
        Console.Error.WriteLine($"failed: {e.Message}");
        return 2;
    }

    var result = await GossipSimulation.RunAsync(options, line => Console.WriteLine(line));
    var ms = (TimeSpan t) => t.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture) + " ms";
    Console.WriteLine($"reached {result.Delivered} of {result.Peers} peers; virtual time: 50% {ms(result.Percentile(0.5))}, 90% {ms(result.Percentile(0.9))}, all {ms(result.Completion)}");
    Console.WriteLine($"{result.Sent:N0} copies sent, {result.Duplicates:N0} duplicates");
    Console.WriteLine($"wall time: setup {result.SetupWallTime.TotalSeconds:F1} s, flood {result.FloodWallTime.TotalSeconds:F1} s; peak working set {result.PeakWorkingSet / (1024 * 1024):N0} MiB");
    Console.WriteLine($"garbage collections: gen0 {GC.CollectionCount(0):N0}, gen1 {GC.CollectionCount(1):N0}, gen2 {GC.CollectionCount(2):N0}; paused {GC.GetTotalPauseDuration().TotalSeconds:F1} s");
    string path = parse.GetValue(chart) ?? "gossip.png";
    if (path != "none")
    {
        DeliveryChart.Save(result, path);
        Console.WriteLine($"chart: {Path.GetFullPath(path)}");
    }

    bool ok = result.Delivered == result.Peers;
    Console.WriteLine(ok ? "ok" : "failed: the flood did not reach every peer");
    return ok ? 0 : 1;
});
return await root.Parse(args).InvokeAsync();
