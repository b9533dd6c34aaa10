using System.Reactive.Linq;
using Rx.Network.Resources;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

public class MockNetworkResourceTests
{
    private const string Hold = "/test/hold/1.0.0";

    [Fact]
    public async Task Resources_ProtocolLimitPerPeer_ResetsTheExtraStream_AndUsageReturnsToZero()
    {
        var limits = ResourceLimits.Default with
        {
            Protocols = new Dictionary<string, ProtocolLimits> { [Hold] = ProtocolLimits.InboundPerPeer(2) },
        };
        await using var net = new MockNetwork(new Microsoft.Reactive.Testing.TestScheduler(), new MockNetworkOptions { Seed = 7, Ping = false, Identify = null, Resources = limits });
        var (a, b, _) = await TwoPeersAsync(net);
        var events = new List<NetworkEvent>();
        using var recording = b.Events.Subscribe(events.Add);
        using var hold = b.SetStreamHandler(Hold, stream => stream.Completion.ContinueWith(_ => { }, TaskScheduler.Default));

        var streams = await net.RunAsync(async () => new[]
        {
            await a.NewStreamAsync(b.LocalPeer, [Hold]),
            await a.NewStreamAsync(b.LocalPeer, [Hold]),
        });
        var error = await Assert.ThrowsAsync<StreamResetException>(() => net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, [Hold])));
        Assert.Equal(ResourceLimitExceededException.StreamResetCode, error.Code);

        Assert.Equal(2, b.Resources.SystemUsage.InboundStreams);
        Assert.Equal(2 * net.Options.StreamWindow, b.Resources.SystemUsage.Memory);
        Assert.True(b.Resources.Scopes.TryGetValue($"protocol-peer:{Hold}@{a.LocalPeer}", out var row));
        Assert.Equal(2, row!.Usage.InboundStreams);
        var reached = Assert.Single(events.OfType<ResourceLimitReached>());
        Assert.Equal(ScopeKind.ProtocolPeer, reached.Kind);
        Assert.Equal(a.LocalPeer, reached.Peer);

        foreach (var stream in streams)
        {
            stream.Reset();
        }

        await net.DisconnectPeersAsync(a, b);

        Assert.True(b.Resources.SystemUsage.IsZero);
        Assert.True(a.Resources.SystemUsage.IsZero);
        Assert.Equal(["system", "transient"], b.Resources.Scopes.Keys.Order(StringComparer.Ordinal));
    }
}
