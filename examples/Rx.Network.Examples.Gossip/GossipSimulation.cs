using System.Buffers.Binary;
using System.Diagnostics;
using System.Reactive.Concurrency;
using Rx.Network.Mock;

namespace Rx.Network.Examples.Gossip;

/// <summary>
/// Flood gossip on the mock network in virtual time: every peer that receives the message for
/// the first time records when, and forwards it on a new stream to each connected neighbour but
/// the one it came from.
/// </summary>
public static class GossipSimulation
{
    /// <summary>The flood protocol: a message is an 8-byte big-endian id and a payload, one per stream.</summary>
    public const string Protocol = "/rxnet/example/flood/1.0.0";

    /// <summary>Runs the simulation.</summary>
    /// <param name="options">What to simulate.</param>
    /// <param name="progress">Told about each phase (may be null).</param>
    /// <returns>The measurements.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static async Task<GossipResult> RunAsync(GossipOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var wall = Stopwatch.StartNew();

        // Ping and identify off: the flood is the only traffic, so the figures are its own.
        await using var net = new MockNetwork(new HistoricalScheduler(), new MockNetworkOptions
        {
            Seed = options.Seed,
            Ping = false,
            Identify = null,
            OperationTimeout = TimeSpan.FromHours(1),
        });
        var random = new Random(options.Seed);
        var peers = new INetwork[options.Peers];
        for (int i = 0; i < peers.Length; i++)
        {
            peers[i] = net.GenPeer();
        }

        progress?.Invoke($"{peers.Length} peers created");
        int links = 0;
        for (int i = 0; i < peers.Length; i++)
        {
            foreach (int j in RandomOthers(random, i, options.Degree, peers.Length))
            {
                if (net.LinkBetween(peers[i], peers[j]) is null)
                {
                    long latency = random.NextInt64(options.MinLatency.Ticks, options.MaxLatency.Ticks + 1);
                    net.LinkPeers(peers[i], peers[j], new LinkOptions { Latency = TimeSpan.FromTicks(latency), Bandwidth = options.Bandwidth });
                    links++;
                }
            }
        }

        await net.ConnectAllButSelfAsync();
        progress?.Invoke($"{links} links connected");
        var setup = wall.Elapsed;

        var flood = new Flood(net, peers.Length);
        foreach (var peer in peers)
        {
            peer.SetStreamHandler(Protocol, stream => flood.ReceiveAsync(peer, stream));
        }

        wall.Restart();
        var message = new byte[8 + options.MessageSize];
        BinaryPrimitives.WriteInt64BigEndian(message, 1);
        await net.RunAsync(async () =>
        {
            flood.Start(peers[0], message);
            await flood.AllDelivered.ConfigureAwait(false);
        });

        // Let the last forwards (duplicates) land, so the counts are complete.
        await net.AdvanceByAsync(options.MaxLatency * 4 + TimeSpan.FromSeconds(1));
        var floodTime = wall.Elapsed;
        progress?.Invoke($"flood delivered to {flood.Delivered} peers");
        return new GossipResult(
            peers.Length,
            links,
            flood.DeliveryTimes(),
            flood.Sent,
            flood.Duplicates,
            setup,
            floodTime,
            Process.GetCurrentProcess().PeakWorkingSet64);
    }

    private static IEnumerable<int> RandomOthers(Random random, int self, int count, int total)
    {
        var chosen = new HashSet<int>();
        while (chosen.Count < count)
        {
            int candidate = random.Next(total);
            if (candidate != self)
            {
                chosen.Add(candidate);
            }
        }

        return chosen.Order();
    }
}
