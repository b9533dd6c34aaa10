using Microsoft.Reactive.Testing;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>Issue #15 item 5: a mock peer's event queues are bounded exactly like a built network's.</summary>
public class MockNetworkEventTests
{
    [Fact]
    public async Task SlowSubscriber_PastTheCapacity_IsEndedWithEventOverflow_AfterItsQueuedEvents()
    {
        await using var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions { Seed = 1, Ping = false, Identify = null, EventQueueCapacity = 4 });
        var (a, b, _) = await TwoPeersAsync(net);
        using var echo = ServeEcho(b);
        var streams = await net.RunAsync(() => Task.WhenAll(Enumerable.Range(0, 5).Select(_ => a.NewStreamAsync(b.LocalPeer, [Echo]))));
        await net.RunUntilIdleAsync();
        var received = new List<NetworkEvent>();
        Exception? ended = null;
        using var subscription = a.Events.Subscribe(received.Add, e => ended = e);

        // Cutting the link publishes five StreamClosed and a Disconnected at once, before the
        // subscriber runs: one more than fits.
        net.UnlinkPeers(a, b);
        await net.RunUntilIdleAsync();

        var overflow = Assert.IsType<EventOverflowException>(ended);
        Assert.Contains("4", overflow.Message, StringComparison.Ordinal);
        Assert.Equal(4, received.Count);
        Assert.All(received, e => Assert.IsType<StreamClosed>(e));
        Assert.Equal(5, streams.Length);
    }

    [Fact]
    public async Task SubscriberThatKeepsUp_NeverOverflows()
    {
        await using var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions { Seed = 1, Ping = false, Identify = null, EventQueueCapacity = 2 });
        var (a, b, _) = await TwoPeersAsync(net);
        using var echo = ServeEcho(b);
        int count = 0;
        Exception? ended = null;
        using var subscription = a.Events.Subscribe(_ => count++, e => ended = e);

        for (int i = 0; i < 10; i++)
        {
            var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, [Echo]));
            await net.RunUntilIdleAsync();
            stream.Reset();
            await net.RunUntilIdleAsync();
        }

        Assert.Null(ended);
        Assert.Equal(20, count);
    }

    [Fact]
    public void EventQueueCapacity_BelowOne_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MockNetworkOptions { EventQueueCapacity = 0 });
}
