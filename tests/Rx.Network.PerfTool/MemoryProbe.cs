using System.Diagnostics;
using System.Text.Json.Nodes;
using Rx.Network.Muxing;
using Rx.Network.Peerstore;
using Rx.Network.Resources;

namespace Rx.Network.PerfTool;

/// <summary>
/// In one process, so both ends are counted: the memory of <c>--streams</c> open streams on one
/// connection, and of <c>--connections</c> idle connections (each from its own dialing network).
/// </summary>
internal static class MemoryProbe
{
    private const string Hold = "/rxnet/perf/hold/1.0.0";

    public static async Task<int> RunAsync(Options options)
    {
        int streams = options.Int("streams", 10_000);
        int connections = options.Int("connections", 200);
        var result = new JsonObject { ["impl"] = options.Text("label", "rxnet"), ["measure"] = "memory" };
        await MeasureStreamsAsync(streams, options, result);
        await MeasureConnectionsAsync(connections, options, result);
        Json.Emit(result);
        return 0;
    }

    /// <summary>
    /// This probe measures what an open stream costs, not the default budgets, which hold one
    /// connection to 256 streams at the initial window (64 MiB ÷ 256 KiB): every scope a stream
    /// passes through is raised to take <paramref name="count"/> of them. Reservations are
    /// accounting only, so the figure is unchanged by how high they go.
    /// </summary>
    private static ResourceLimits ForStreams(ResourceLimits limits, int count)
    {
        long memory = (count + 64) * 2L * YamuxOptions.Default.InitialStreamWindow;
        ScopeLimits Raise(ScopeLimits scope) => scope with
        {
            Memory = Math.Max(scope.Memory, memory),
            InboundStreams = Math.Max(scope.InboundStreams, count + 64),
            OutboundStreams = Math.Max(scope.OutboundStreams, count + 64),
        };

        return limits with
        {
            System = Raise(limits.System),
            Transient = Raise(limits.Transient),
            Ip4Address = Raise(limits.Ip4Address),
            Peer = Raise(limits.Peer),
            Connection = Raise(limits.Connection),
            DefaultProtocol = new ProtocolLimits(Raise(limits.DefaultProtocol.Total), Raise(limits.DefaultProtocol.PerPeer)),
        };
    }

    private static async Task MeasureStreamsAsync(int count, Options options, JsonObject result)
    {
        var yamux = new YamuxOptions { MaxInboundStreams = count + 64, MaxOutboundStreams = count + 64 };
        var server = await LibP2pPerf.Builder(options).WithoutPing().WithYamux(yamux).WithResourceLimits(l => ForStreams(l, count)).ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync();
        var client = await LibP2pPerf.Builder(options).WithoutPing().WithYamux(yamux).WithResourceLimits(l => ForStreams(l, count)).StartAsync();
        var opened = new List<IStream>(count);
        await using (server)
        await using (client)
        {
            // Each accepted stream is served by a handler waiting in a read, as a real idle stream is.
            server.SetStreamHandler(Hold, async stream =>
            {
                var one = new byte[1];
                while (await stream.ReadAsync(one) > 0)
                {
                }
            });
            client.Peerstore.AddAddresses(server.LocalPeer, server.ListenAddresses, AddressTtl.Permanent);
            await client.DialPeerAsync(server.LocalPeer);
            var before = Snapshot();
            long started = Stopwatch.GetTimestamp();
            using var gate = new SemaphoreSlim(64);
            var tasks = Enumerable.Range(0, count).Select(async _ =>
            {
                await gate.WaitAsync();
                try
                {
                    var stream = await client.NewStreamAsync(server.LocalPeer, [Hold]);
                    lock (opened)
                    {
                        opened.Add(stream);
                    }
                }
                finally
                {
                    gate.Release();
                }
            });
            await Task.WhenAll(tasks);
            double openSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var after = Snapshot();
            result["streams"] = count;
            result["streamsOpenPerSecond"] = count / openSeconds;
            result["streamsProcessMB"] = after.WorkingSet / 1e6;
            result["streamsManagedMB"] = after.Managed / 1e6;
            result["streamsDeltaMB"] = (after.WorkingSet - before.WorkingSet) / 1e6;
            result["bytesPerStream"] = (double)(after.Managed - before.Managed) / count;
            foreach (var stream in opened)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private static async Task MeasureConnectionsAsync(int count, Options options, JsonObject result)
    {
        var server = await LibP2pPerf.Builder(options).ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync();
        var clients = new List<INetwork>(count);
        await using (server)
        {
            try
            {
                for (int i = 0; i < count; i++)
                {
                    var client = await LibP2pPerf.Builder(options).WithoutPing().StartAsync();
                    client.Peerstore.AddAddresses(server.LocalPeer, server.ListenAddresses, AddressTtl.Permanent);
                    clients.Add(client);
                }

                // The networks exist before the baseline; what is measured is their connections.
                var before = Snapshot();
                foreach (var chunk in clients.Chunk(16))
                {
                    await Task.WhenAll(chunk.Select(c => c.DialPeerAsync(server.LocalPeer)));
                }

                var after = Snapshot();
                result["connections"] = count;
                result["bytesPerIdleConnection"] = (double)(after.Managed - before.Managed) / count;
                result["rssPerIdleConnection"] = (double)(after.WorkingSet - before.WorkingSet) / count;
            }
            finally
            {
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                }
            }
        }
    }

    /// <summary>Managed heap after a full collection, and the process's resident set.</summary>
    private static (long Managed, long WorkingSet) Snapshot()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64);
    }
}
