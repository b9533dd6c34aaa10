using System.Diagnostics;
using System.Text.Json.Nodes;
using Rx.Network.Identity;
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
            using var ping = new PingService(server);
            client.Peerstore.AddAddresses(server.LocalPeer, server.ListenAddresses, AddressTtl.Permanent);
            await Parallel(streams, () => PerfService.RunAsync(client, server.LocalPeer, perStream / 4, perStream / 4));
            GC.Collect();
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long workItems = ThreadPool.CompletedWorkItemCount;
            long contentions = Monitor.LockContentionCount;
            long started = Stopwatch.GetTimestamp();
            await Parallel(streams, () => PerfService.RunAsync(client, server.LocalPeer, perStream, perStream));
            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            long delta = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            workItems = ThreadPool.CompletedWorkItemCount - workItems;
            contentions = Monitor.LockContentionCount - contentions;
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
                ["lockContentionsPerMB"] = contentions / (2 * bytes / 1e6),
                ["gc"] = $"{GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}",
            });
            Json.Emit(await PingHandOffsAsync(client, server.LocalPeer, options));
        }

        return 0;
    }

    /// <summary>
    /// Thread-pool work items completed per ping round trip (both ends in this process, one
    /// /ipfs/ping stream, 32 bytes each way): the hand-offs between threads that one round trip
    /// costs (socket completions, pipeline stages waking each other), counted as the alloc
    /// figure counts them per MB; plus CPU and bytes allocated per round trip.
    /// </summary>
    private static async Task<JsonObject> PingHandOffsAsync(INetwork client, PeerId server, Options options)
    {
        int count = options.Int("pings", 5000);
        var stream = await client.NewStreamAsync(server, [PingService.ProtocolId]);
        await using (stream)
        {
            var payload = new byte[PingService.PayloadSize];
            var echo = new byte[PingService.PayloadSize];
            for (int i = 0; i < 500; i++)
            {
                await RoundTripAsync();
            }

            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long workItems = ThreadPool.CompletedWorkItemCount;
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < count; i++)
            {
                await RoundTripAsync();
            }

            workItems = ThreadPool.CompletedWorkItemCount - workItems;
            return new JsonObject
            {
                ["impl"] = options.Text("label", "rxnet"),
                ["measure"] = "ping-handoffs",
                ["pings"] = count,
                ["workItemsPerPing"] = (double)workItems / count,
                ["cpuMicrosecondsPerPing"] = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / count,
                ["allocatedBytesPerPing"] = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocated) / count,
            };

            async Task RoundTripAsync()
            {
                await stream.WriteAsync(payload);
                await Measurements.ReadExactlyAsync(b => stream.ReadAsync(b), echo);
            }
        }
    }

    private static Task<T[]> Parallel<T>(int streams, Func<Task<T>> exchange) =>
        Task.WhenAll(Enumerable.Range(0, streams).Select(_ => exchange()));
}
