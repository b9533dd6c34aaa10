using System.Reactive.Concurrency;
using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

public sealed class SchedulerTimeProviderTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Constructor_NullScheduler_Throws() =>
        Assert.Throws<ArgumentNullException>(() => new SchedulerTimeProvider(null!));

    [Fact]
    public void CreateTimer_InvalidArguments_Throw()
    {
        var time = new SchedulerTimeProvider(new HistoricalScheduler(Start));
        Assert.Throws<ArgumentNullException>(() => time.CreateTimer(null!, null, TimeSpan.Zero, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => time.CreateTimer(_ => { }, null, TimeSpan.FromTicks(-2), TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => time.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromTicks(-2)));
        using var timer = time.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Assert.Throws<ArgumentOutOfRangeException>(() => timer.Change(TimeSpan.FromSeconds(-1), TimeSpan.Zero));
    }

    [Fact]
    public void GetUtcNow_FollowsTheSchedulersClock()
    {
        var scheduler = new HistoricalScheduler(Start);
        var time = new SchedulerTimeProvider(scheduler);
        Assert.Equal(Start, time.GetUtcNow());

        scheduler.AdvanceBy(TimeSpan.FromMinutes(3));
        Assert.Equal(Start.AddMinutes(3), time.GetUtcNow());
        Assert.Same(scheduler, time.Scheduler);
    }

    [Fact]
    public void GetElapsedTime_MeasuresVirtualTime()
    {
        var scheduler = new HistoricalScheduler(Start);
        var time = new SchedulerTimeProvider(scheduler);
        long started = time.GetTimestamp();

        scheduler.AdvanceBy(TimeSpan.FromMilliseconds(250));

        Assert.Equal(TimeSpan.FromMilliseconds(250), time.GetElapsedTime(started));
        Assert.Equal(TimeSpan.TicksPerSecond, time.TimestampFrequency);
    }

    [Fact]
    public void CreateTimer_OneShot_FiresOnceAtItsDueTime()
    {
        var scheduler = new HistoricalScheduler(Start);
        var time = new SchedulerTimeProvider(scheduler);
        var fired = new List<(DateTimeOffset At, object? State)>();
        using var timer = time.CreateTimer(s => fired.Add((time.GetUtcNow(), s)), "state", TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        scheduler.AdvanceBy(TimeSpan.FromSeconds(4));
        Assert.Empty(fired);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(60));

        Assert.Equal([(Start.AddSeconds(5), (object?)"state")], fired);
    }

    [Fact]
    public void CreateTimer_Periodic_FiresAtDueTimeThenEveryPeriod()
    {
        var scheduler = new HistoricalScheduler(Start);
        var time = new SchedulerTimeProvider(scheduler);
        var fired = new List<DateTimeOffset>();
        using var timer = time.CreateTimer(_ => fired.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        scheduler.AdvanceBy(TimeSpan.FromSeconds(31));

        Assert.Equal([Start.AddSeconds(1), Start.AddSeconds(11), Start.AddSeconds(21), Start.AddSeconds(31)], fired);
    }

    [Fact]
    public void Change_Reschedules_AndInfiniteDueTimeStopsTheTimer()
    {
        var scheduler = new HistoricalScheduler(Start);
        var time = new SchedulerTimeProvider(scheduler);
        var fired = new List<DateTimeOffset>();
        using var timer = time.CreateTimer(_ => fired.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(5), TimeSpan.Zero);

        scheduler.AdvanceBy(TimeSpan.FromSeconds(2));
        Assert.True(timer.Change(TimeSpan.FromSeconds(10), TimeSpan.Zero));
        scheduler.AdvanceBy(TimeSpan.FromSeconds(20));
        Assert.Equal([Start.AddSeconds(12)], fired);

        Assert.True(timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        scheduler.AdvanceBy(TimeSpan.FromSeconds(2));
        Assert.True(timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        scheduler.AdvanceBy(TimeSpan.FromMinutes(1));

        Assert.Equal([Start.AddSeconds(12), Start.AddSeconds(23), Start.AddSeconds(24)], fired);
    }

    [Fact]
    public async Task Dispose_StopsTheTimer_AndChangeThenReturnsFalse()
    {
        var scheduler = new HistoricalScheduler(Start);
        var time = new SchedulerTimeProvider(scheduler);
        int fired = 0;
        var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));

        await timer.DisposeAsync();
        scheduler.AdvanceBy(TimeSpan.FromMinutes(1));

        Assert.Equal(1, fired);
        Assert.False(timer.Change(TimeSpan.Zero, TimeSpan.Zero));
        timer.Dispose();
    }

    [Fact]
    public void CancellationTokenSource_OnTheProvider_CancelsInVirtualTime()
    {
        var scheduler = new HistoricalScheduler(Start);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), new SchedulerTimeProvider(scheduler));

        scheduler.AdvanceBy(TimeSpan.FromSeconds(29));
        Assert.False(timeout.IsCancellationRequested);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));
        Assert.True(timeout.IsCancellationRequested);
    }
}
