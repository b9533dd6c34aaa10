using System.Runtime;
using System.Text.Json.Nodes;

namespace Rx.Network.Cli;

/// <summary>
/// <c>rxnet listen</c>'s standard input: runs until it ends, answering two commands, one a line,
/// with one JSON line on stdout: <c>stats</c> prints <c>{"event":"stats","heapBytes":…,"rssBytes":…}</c>;
/// <c>gc</c> first runs a full blocking, compacting collection, so that <c>heapBytes</c> is what
/// is still alive (what the attack tests of issue #14 compare with the idle heap). Other lines are ignored.
/// </summary>
internal static class ListenConsole
{
    /// <summary>Reads standard input until it ends.</summary>
    public static void Run()
    {
        while (Console.In.ReadLine() is { } line)
        {
            switch (line.Trim())
            {
                case "gc":
                    GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    PrintStats();
                    break;
                case "stats":
                    PrintStats();
                    break;
            }
        }
    }

    private static void PrintStats()
    {
        var info = GC.GetGCMemoryInfo();
        JsonLines.Out(new JsonObject
        {
            ["event"] = "stats",
            ["heapBytes"] = GC.GetTotalMemory(forceFullCollection: false),
            ["committedBytes"] = info.TotalCommittedBytes,
            ["rssBytes"] = Environment.WorkingSet,
            ["gcCount"] = GC.CollectionCount(GC.MaxGeneration),
        });
    }
}
