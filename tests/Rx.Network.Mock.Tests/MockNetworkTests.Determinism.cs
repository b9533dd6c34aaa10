using Rx.Network.Identity;
using Rx.Network.Mock.Testing;
using Rx.Network.Protocols;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>Seeded runs repeat: the same seed gives the same events at the same virtual times.</summary>
public sealed partial class MockNetworkTests
{
    [Fact]
    public async Task Seed_SameSeedGivesTheSameEventLog()
    {
        var first = await ScenarioAsync(seed: 11);
        var second = await ScenarioAsync(seed: 11);

        Assert.Equal(first, second);
        Assert.Contains(first, line => line.Contains("disconnected", StringComparison.Ordinal));
        Assert.Contains(first, line => line.Contains(PingService.ProtocolId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Seed_OtherSeedGivesOtherJitter()
    {
        var first = await ScenarioAsync(seed: 11);
        var other = await ScenarioAsync(seed: 12);

        Assert.NotEqual(first, other);
    }

    /// <summary>
    /// Four peers on jittery links connect, ping, echo, and lose a link; returns every event as
    /// "virtual ticks, peer, what". Events of one tick seen by one peer are sorted by text: peers
    /// publish from concurrent pool threads, so only their virtual times are the contract.
    /// </summary>
    private static async Task<List<string>> ScenarioAsync(int seed)
    {
        await using var net = new MockNetwork(new TestScheduler(), seed);
        var peers = Enumerable.Range(0, 4).Select(_ => net.GenPeer()).ToArray();
        var index = peers.Select((p, i) => (p.LocalPeer, i)).ToDictionary(x => x.LocalPeer, x => x.i);
        net.SetLinkDefaults(new LinkOptions { Latency = Ms(20), Jitter = Ms(30), Bandwidth = 2_000_000 });
        net.LinkAll();
        using var log = Record(peers);
        foreach (var peer in peers)
        {
            peer.SetStreamHandler(SinkProtocol, async stream => await DrainAsync(stream));
        }

        await net.ConnectAllButSelfAsync();
        await net.RunAsync(() => Task.WhenAll(
            PingService.PingAsync(peers[0], peers[1].LocalPeer, net.TimeProvider),
            PingService.PingAsync(peers[2], peers[3].LocalPeer, net.TimeProvider),
            SendAsync(peers[1], peers[2].LocalPeer, 100_000)));
        net.UnlinkPeers(peers[0].LocalPeer, peers[3].LocalPeer);
        await net.AdvanceByAsync(TimeSpan.FromSeconds(1));

        string Name(PeerId peer) => index.TryGetValue(peer, out int i) ? $"#{i}" : "?";
        return log.Events
            .Select(e => (e.Event.Timestamp.UtcTicks, e.Peer, What: e.Event switch
            {
                Connected c => $"connected {Name(c.Connection.RemotePeer)} {c.Connection.Direction}",
                Disconnected d => $"disconnected {Name(d.Connection.RemotePeer)} {d.Error?.GetType().Name}",
                StreamOpened s => $"opened {s.Stream.Protocol} {s.Stream.Direction} {Name(s.Stream.Connection.RemotePeer)}",
                StreamClosed s => $"closed {s.Stream.Protocol} {s.Stream.Direction} {s.Error?.GetType().Name}",
                var other => other.GetType().Name,
            }))
            .OrderBy(e => e.UtcTicks).ThenBy(e => e.Peer).ThenBy(e => e.What, StringComparer.Ordinal)
            .Select(e => $"{e.UtcTicks} #{e.Peer} {e.What}")
            .ToList();
    }

    private static async Task SendAsync(INetwork from, PeerId to, int size)
    {
        await using var stream = await from.NewStreamAsync(to, [SinkProtocol]);
        await stream.WriteAsync(new byte[size]);
        await stream.CloseWriteAsync();
        await stream.ReadAsync(new byte[1]);
    }
}
