using System.Diagnostics;
using System.Text.Json.Nodes;
using Rx.Network.Peerstore;

namespace Rx.Network.PerfTool;

/// <summary>
/// CPU cost of a full handshake (TCP + multistream-select + Noise + yamux, then close), both ends in
/// this process, after a warm-up long enough for tiered compilation to settle. CPU time, unlike
/// wall time, hardly depends on what else loads the machine, so this gives the handshake rate the
/// two cores could sustain: cores / CPU seconds per handshake.
/// </summary>
internal static class HandshakeProbe
{
    public static async Task<int> RunAsync(Options options)
    {
        int count = options.Int("count", 2000);
        int warmup = options.Int("warmup", 3000);
        var server = await LibP2pPerf.Builder(options).WithoutPing().ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync();
        var client = await LibP2pPerf.Builder(options).WithoutPing().StartAsync();
        await using (server)
        await using (client)
        {
            client.Peerstore.AddAddresses(server.LocalPeer, server.ListenAddresses, AddressTtl.Permanent);
            for (int i = 0; i < warmup; i++)
            {
                await client.DialPeerAsync(server.LocalPeer);
                await client.ClosePeerAsync(server.LocalPeer);
            }

            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long started = Stopwatch.GetTimestamp();
            long dialing = 0;
            for (int i = 0; i < count; i++)
            {
                long dialStarted = Stopwatch.GetTimestamp();
                await client.DialPeerAsync(server.LocalPeer);
                dialing += Stopwatch.GetTimestamp() - dialStarted;
                await client.ClosePeerAsync(server.LocalPeer);
            }

            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            Json.Emit(new JsonObject
            {
                ["impl"] = options.Text("label", "rxnet"),
                ["measure"] = "handshake-cpu",
                ["count"] = count,
                ["sequentialPerSecond"] = count / seconds,
                ["dialMicroseconds"] = (double)dialing / Stopwatch.Frequency / count * 1e6,
                ["dialAndCloseMicroseconds"] = seconds / count * 1e6,
                ["cpuMicrosecondsPerHandshake"] = cpuSeconds / count * 1e6,
                ["capacityPerSecond"] = Environment.ProcessorCount / (cpuSeconds / count),
                ["allocatedBytesPerHandshake"] = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocated) / count,
            });
        }

        return 0;
    }
}
