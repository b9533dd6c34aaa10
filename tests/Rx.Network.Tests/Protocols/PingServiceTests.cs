using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Protocols;

namespace Rx.Network.Tests.Protocols;

public sealed class PingServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PingAsync_ReturnsRtt_AndRecordsLatency()
    {
        await using var nodes = await TwoNodes.StartAsync();

        var rtt = await PingService.PingAsync(nodes.Client, nodes.Server.LocalPeer).WaitAsync(Timeout);

        Assert.True(rtt > TimeSpan.Zero);
        Assert.NotNull(nodes.Client.Peerstore.PeerInfo(nodes.Server.LocalPeer)!.Latency);
    }

    [Fact]
    public async Task Ping_Observable_EmitsOneRttPerInterval()
    {
        await using var nodes = await TwoNodes.StartAsync();
        using var service = new PingService(nodes.Client);

        var rtts = await service.Ping(nodes.Server.LocalPeer, TimeSpan.FromMilliseconds(10)).Take(3).ToArray().ToTask().WaitAsync(Timeout);

        Assert.Equal(3, rtts.Length);
        Assert.All(rtts, rtt => Assert.True(rtt > TimeSpan.Zero));
    }

    [Fact]
    public async Task PingAsync_PeerWithoutPing_ThrowsNegotiationException()
    {
        await using var server = await new NetworkBuilder().WithoutPing().ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync();
        await using var client = await new NetworkBuilder().StartAsync();
        client.Peerstore.AddAddresses(server.LocalPeer, server.ListenAddresses, Rx.Network.Peerstore.AddressTtl.Temporary);

        await Assert.ThrowsAsync<NegotiationException>(() => PingService.PingAsync(client, server.LocalPeer).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Arguments_AreChecked()
    {
        await using var nodes = await TwoNodes.StartAsync();
        using var service = new PingService(nodes.Client);
        Assert.Throws<ArgumentNullException>(() => new PingService(null!));
        Assert.Throws<ArgumentNullException>(() => service.Ping(null!, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => service.Ping(nodes.Server.LocalPeer, TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentNullException>(() => PingService.PingAsync(null!, nodes.Server.LocalPeer));
    }
}
