using System.Diagnostics;
using System.Text.Json.Nodes;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;

namespace Rx.Network.PerfTool;

/// <summary>
/// Steady-state allocation: two networks in this process (so both ends count), Noise (or
/// <c>--security tls</c>) + yamux over
/// loopback TCP, perf exchanges on one stream (or <c>--streams N</c> in parallel on one connection,
/// <c>--bytes</c> split among them) after a warm-up; bytes allocated by every thread divided by
/// payload bytes moved; also CPU seconds per GB and thread-pool work items per MB.
/// </summary>
internal static class AllocationProbe
{
    public static async Task<int> RunAsync(Options options)
    {
        long bytes = options.Long("bytes", 256L << 20);
        int streams = options.Int("streams", 1);
        long perStream = bytes / streams;
        bytes = perStream * streams;
        var server = await LibP2pPerf.Builder(options).ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync();
        var client = await LibP2pPerf.Builder(options).WithoutPing().StartAsync();
        await using (server)
        await using (client)
        {
            using var perf = new PerfService(server);
            client.Peerstore.AddAddresses(server.LocalPeer, server.ListenAddresses, AddressTtl.Permanent);
            await Parallel(streams, () => PerfService.RunAsync(client, server.LocalPeer, perStream / 4, perStream / 4));
            GC.Collect();
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long workItems = ThreadPool.CompletedWorkItemCount;
            long started = Stopwatch.GetTimestamp();
            await Parallel(streams, () => PerfService.RunAsync(client, server.LocalPeer, perStream, perStream));
            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            long delta = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            workItems = ThreadPool.CompletedWorkItemCount - workItems;
            Json.Emit(new JsonObject
            {
                ["impl"] = options.Text("label", "rxnet"),
                ["measure"] = "alloc",
                ["streams"] = streams,
                ["payloadBytes"] = 2 * bytes,
                ["allocatedBytes"] = delta,
                ["bytesPerPayloadByte"] = (double)delta / (2 * bytes),
                ["mbps"] = 2 * bytes / seconds / 1e6,
                ["cpuSecondsPerGB"] = cpuSeconds / (2 * bytes / 1e9),
                // Thread-pool hand-offs (socket completions, pipeline stages waking each other): each
                // may wake a thread, and on two shared cores wake-ups cost as much as copies.
                ["workItemsPerMB"] = workItems / (2 * bytes / 1e6),
                ["gc"] = $"{GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}",
            });
        }

        return 0;
    }

    private static Task<T[]> Parallel<T>(int streams, Func<Task<T>> exchange) =>
        Task.WhenAll(Enumerable.Range(0, streams).Select(_ => exchange()));
}
