using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Microsoft.Reactive.Testing;
using Rx.Network.Protocols;

namespace Rx.Network.Mock.Tests;

/// <summary>
/// Microsoft.Reactive.Testing is the test kit (ADR 0010): it restores beside System.Reactive 7 through
/// the 6.1.0 facades and keeps its classic timing, and the mock network runs on its scheduler.
/// </summary>
public sealed class ReactiveTestingTests : ReactiveTest
{
    [Fact]
    public void TestScheduler_Interval_RecordsTheClassicTicks()
    {
        var scheduler = new TestScheduler();

        var observer = scheduler.Start(() => Observable.Interval(TimeSpan.FromTicks(100), scheduler).Take(3));

        observer.Messages.AssertEqual(
            OnNext(300, 0L),
            OnNext(400, 1L),
            OnNext(500, 2L),
            OnCompleted<long>(500));
    }

    [Fact]
    public void HotObservable_SeenThroughWhere_RecordsSubscriptionAndMessages()
    {
        var scheduler = new TestScheduler();
        var rtts = scheduler.CreateHotObservable(
            OnNext(150, 5),
            OnNext(210, 80),
            OnNext(220, 12),
            OnNext(230, 95),
            OnCompleted<int>(300));

        var observer = scheduler.Start(() => rtts.Where(ms => ms > 50));

        observer.Messages.AssertEqual(OnNext(210, 80), OnNext(230, 95), OnCompleted<int>(300));
        rtts.Subscriptions.AssertEqual(Subscribe(200, 300));
    }

    [Fact]
    public async Task MockNetwork_OnTheTestScheduler_PingsInExactlyTwoRoundTrips()
    {
        var scheduler = new TestScheduler();
        await using var net = new MockNetwork(scheduler, new MockNetworkOptions { Seed = 1, Identify = null });
        var (a, b) = (net.GenPeer(), net.GenPeer());
        net.LinkPeers(a, b, new LinkOptions { Latency = TimeSpan.FromMilliseconds(50) });
        await net.ConnectPeersAsync(a, b);
        long before = scheduler.Clock;

        var rtt = await net.RunAsync(() => PingService.PingAsync(a, b.LocalPeer, net.TimeProvider));

        Assert.True(net.IsVirtual);
        Assert.Equal(TimeSpan.FromMilliseconds(100), rtt);
        Assert.Equal(TimeSpan.FromMilliseconds(200).Ticks, scheduler.Clock - before);
    }

    [Fact]
    public async Task MockNetwork_OnAHistoricalScheduler_RunsInTheSameVirtualTime()
    {
        var scheduler = new HistoricalScheduler(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var net = new MockNetwork(scheduler, new MockNetworkOptions { Seed = 1, Identify = null });
        var (a, b) = (net.GenPeer(), net.GenPeer());
        net.LinkPeers(a, b, new LinkOptions { Latency = TimeSpan.FromMilliseconds(50) });
        await net.ConnectPeersAsync(a, b);
        var before = scheduler.Now;

        var rtt = await net.RunAsync(() => PingService.PingAsync(a, b.LocalPeer, net.TimeProvider));
        await net.AdvanceByAsync(TimeSpan.FromSeconds(1));

        Assert.True(net.IsVirtual);
        Assert.Equal(TimeSpan.FromMilliseconds(100), rtt);
        Assert.Equal(TimeSpan.FromMilliseconds(1200), scheduler.Now - before);
    }
}
