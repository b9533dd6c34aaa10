using System.Reactive.Concurrency;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests;

public sealed class SchedulerTimeProviderTests
{
    [Fact]
    public void Arguments_AreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => new SchedulerTimeProvider(null!));
        var time = new SchedulerTimeProvider(new TestScheduler());

        Assert.Throws<ArgumentNullException>(() => time.CreateTimer(null!, null, TimeSpan.Zero, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => time.CreateTimer(_ => { }, null, TimeSpan.FromTicks(-1), TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => time.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromTicks(-5)));
        using var timer = time.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Assert.Throws<ArgumentOutOfRangeException>(() => timer.Change(TimeSpan.FromTicks(-2), TimeSpan.Zero));
    }

    [Fact]
    public void GetUtcNow_IsTheSchedulersClock()
    {
        var scheduler = new TestScheduler();
        var time = new SchedulerTimeProvider(scheduler);

        scheduler.AdvanceTo(TimeSpan.FromSeconds(3).Ticks);

        Assert.Same(scheduler, time.Scheduler);
        Assert.Equal(scheduler.Now, time.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, time.GetUtcNow().Offset);
    }

    [Fact]
    public void GetTimestamp_CountsVirtualTicks()
    {
        var scheduler = new TestScheduler();
        scheduler.AdvanceTo(1000);
        var time = new SchedulerTimeProvider(scheduler);
        long start = time.GetTimestamp();

        scheduler.AdvanceBy(TimeSpan.FromMilliseconds(250).Ticks);

        Assert.Equal(TimeSpan.TicksPerSecond, time.TimestampFrequency);
        Assert.Equal(TimeSpan.FromMilliseconds(250), time.GetElapsedTime(start));
    }

    [Fact]
    public void CreateTimer_FiresOnceAtTheDueTime()
    {
        var scheduler = new TestScheduler();
        var time = new SchedulerTimeProvider(scheduler);
        var fired = new List<(long Tick, object? State)>();

        using var timer = time.CreateTimer(s => fired.Add((scheduler.Clock, s)), "state", TimeSpan.FromTicks(50), Timeout.InfiniteTimeSpan);
        scheduler.AdvanceTo(1000);

        Assert.Equal([(50L, (object?)"state")], fired);
    }

    [Fact]
    public void CreateTimer_PeriodicFiresEveryPeriodUntilDisposed()
    {
        var scheduler = new TestScheduler();
        var time = new SchedulerTimeProvider(scheduler);
        var fired = new List<long>();

        var timer = time.CreateTimer(_ => fired.Add(scheduler.Clock), null, TimeSpan.FromTicks(10), TimeSpan.FromTicks(100));
        scheduler.AdvanceTo(350);
        timer.Dispose();
        scheduler.AdvanceTo(1000);

        Assert.Equal([10L, 110L, 210L, 310L], fired);
        Assert.False(timer.Change(TimeSpan.Zero, TimeSpan.Zero));
    }

    [Fact]
    public async Task Change_ReschedulesAndInfiniteStops()
    {
        var scheduler = new TestScheduler();
        var time = new SchedulerTimeProvider(scheduler);
        var fired = new List<long>();
        await using var timer = time.CreateTimer(_ => fired.Add(scheduler.Clock), null, TimeSpan.FromTicks(10), Timeout.InfiniteTimeSpan);

        Assert.True(timer.Change(TimeSpan.FromTicks(40), TimeSpan.FromTicks(20)));
        scheduler.AdvanceTo(85);
        Assert.True(timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        scheduler.AdvanceTo(1000);

        Assert.Equal([40L, 60L, 80L], fired);
    }

    [Fact]
    public void CancellationTokenSource_CancelsInVirtualTime()
    {
        var scheduler = new TestScheduler();
        var time = new SchedulerTimeProvider(scheduler);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);

        scheduler.AdvanceBy(TimeSpan.FromSeconds(10).Ticks - 1);
        Assert.False(cts.IsCancellationRequested);
        scheduler.AdvanceBy(1);

        Assert.True(cts.IsCancellationRequested);
    }

    [Fact]
    public void Delay_CompletesInVirtualTime()
    {
        var scheduler = new TestScheduler();
        var time = new SchedulerTimeProvider(scheduler);

        var delay = Task.Delay(TimeSpan.FromMinutes(5), time);
        scheduler.AdvanceBy(TimeSpan.FromMinutes(5).Ticks);

        Assert.True(delay.IsCompletedSuccessfully);
    }

    [Fact]
    public void CreateTimer_WorksOnARealTimeScheduler()
    {
        var time = new SchedulerTimeProvider(DefaultScheduler.Instance);
        using var fired = new ManualResetEventSlim();

        using var timer = time.CreateTimer(_ => fired.Set(), null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);

        Assert.True(fired.Wait(MockKit.Patience));
        Assert.InRange(time.GetUtcNow(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }
}
