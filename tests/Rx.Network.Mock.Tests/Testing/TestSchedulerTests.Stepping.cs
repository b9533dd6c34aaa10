using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests.Testing;

/// <summary>Single steps: the mock network's driver runs one work item at a time.</summary>
public sealed partial class TestSchedulerTests
{
    [Fact]
    public void TryPeekNextDueTime_SkipsCanceledWork()
    {
        var scheduler = new TestScheduler();
        Assert.False(scheduler.TryPeekNextDueTime(out _));

        var early = scheduler.ScheduleAbsolute(0, 10, (_, _) => Disposable.Empty);
        scheduler.ScheduleAbsolute(0, 20, (_, _) => Disposable.Empty);
        early.Dispose();

        Assert.True(scheduler.TryPeekNextDueTime(out long due));
        Assert.Equal(20, due);
        Assert.Equal(0, scheduler.Clock);
    }

    [Fact]
    public void RunNext_RunsOneItemUpToTheLimit()
    {
        var scheduler = new TestScheduler();
        var ran = new List<long>();
        scheduler.ScheduleAbsolute(0, 10, (_, _) => Record());
        scheduler.ScheduleAbsolute(0, 10, (_, _) => Record());
        scheduler.ScheduleAbsolute(0, 30, (_, _) => Record());

        Assert.True(scheduler.RunNext(15));
        Assert.Equal([10L], ran);
        Assert.True(scheduler.RunNext(15));
        Assert.False(scheduler.RunNext(15));
        Assert.Equal([10L, 10L], ran);
        Assert.Equal(10, scheduler.Clock);
        Assert.True(scheduler.RunNext(long.MaxValue));
        Assert.Equal(30, scheduler.Clock);
        Assert.False(scheduler.RunNext(long.MaxValue));

        IDisposable Record()
        {
            ran.Add(scheduler.Clock);
            return Disposable.Empty;
        }
    }

    [Fact]
    public void RunNext_CannotNestInARunningScheduler()
    {
        var scheduler = new TestScheduler();
        Exception? error = null;
        scheduler.ScheduleAbsolute(0, 10, (_, _) =>
        {
            error = Record.Exception(() => scheduler.RunNext(100));
            return Disposable.Empty;
        });

        scheduler.Start();

        Assert.IsType<InvalidOperationException>(error);
    }
}
