using System.Reactive.Concurrency;
using Rx.Network.Mock.Testing;
using Rx.Network.Mock.Time;

namespace Rx.Network.Mock.Tests.Time;

public sealed class VirtualTimeDriverTests : IDisposable
{
    private readonly TestScheduler scheduler = new();
    private readonly VirtualTimeDriver driver;

    public VirtualTimeDriverTests() => driver = new VirtualTimeDriver(scheduler, TimeProvider.System, MockKit.Patience);

    [Fact]
    public async Task AdvanceToAsync_RunsEachItemAtItsTimeAndWhatItCauses()
    {
        var ran = new List<(string Name, long Tick)>();

        // An item whose follow-up is scheduled from the pool, as a delivery's continuation would be.
        scheduler.ScheduleAbsolute(0, 100, (s, _) =>
        {
            ran.Add(("first", scheduler.Clock));
            ThreadPool.UnsafeQueueUserWorkItem(_ => scheduler.Schedule(0, TimeSpan.FromTicks(50), (_, _) =>
            {
                lock (ran)
                {
                    ran.Add(("caused", scheduler.Clock));
                }

                return System.Reactive.Disposables.Disposable.Empty;
            }), null);
            return System.Reactive.Disposables.Disposable.Empty;
        });
        scheduler.ScheduleAbsolute(0, 300, (_, _) =>
        {
            ran.Add(("late", scheduler.Clock));
            return System.Reactive.Disposables.Disposable.Empty;
        });

        await driver.AdvanceToAsync(200, CancellationToken.None);

        Assert.Equal([("first", 100L), ("caused", 150L)], ran);
        Assert.Equal(200, scheduler.Clock);
    }

    [Fact]
    public async Task AdvanceToAsync_RejectsThePast()
    {
        scheduler.AdvanceTo(10);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => driver.AdvanceToAsync(9, CancellationToken.None));
    }

    [Fact]
    public async Task AdvanceToAsync_NeedsVirtualTime()
    {
        using var real = new VirtualTimeDriver(DefaultScheduler.Instance, TimeProvider.System, MockKit.Patience);

        Assert.False(real.IsVirtual);
        await Assert.ThrowsAsync<InvalidOperationException>(() => real.AdvanceToAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task RunUntilAsync_StepsUntilTheConditionHolds()
    {
        int count = 0;
        for (int i = 1; i <= 5; i++)
        {
            scheduler.ScheduleAbsolute(0, i * 10, (_, _) =>
            {
                count++;
                return System.Reactive.Disposables.Disposable.Empty;
            });
        }

        await driver.RunUntilAsync(() => count == 3, Task.CompletedTask, TimeSpan.FromTicks(1000), CancellationToken.None);

        Assert.Equal(3, count);
        Assert.Equal(30, scheduler.Clock);
    }

    [Fact]
    public async Task RunUntilAsync_FailsWhenNothingIsLeftOrTheLimitPasses()
    {
        scheduler.ScheduleAbsolute(0, 500, (_, _) => System.Reactive.Disposables.Disposable.Empty);

        var beyond = await Assert.ThrowsAsync<TimeoutException>(() => driver.RunUntilAsync(() => false, Task.CompletedTask, TimeSpan.FromTicks(100), CancellationToken.None));
        await driver.AdvanceToAsync(600, CancellationToken.None);
        var stuck = await Assert.ThrowsAsync<TimeoutException>(() => driver.RunUntilAsync(() => false, Task.CompletedTask, TimeSpan.FromTicks(100), CancellationToken.None));

        Assert.Contains("within", beyond.Message, StringComparison.Ordinal);
        Assert.Contains("no work is scheduled", stuck.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunUntilAsync_OnRealTimeAwaitsTheTask()
    {
        using var real = new VirtualTimeDriver(DefaultScheduler.Instance, TimeProvider.System, MockKit.Patience);
        var done = new TaskCompletionSource();

        var run = real.RunUntilAsync(() => done.Task.IsCompleted, done.Task, MockKit.Patience, CancellationToken.None);
        Assert.False(run.IsCompleted);
        done.SetResult();

        await run.WaitAsync(MockKit.Patience);
    }

    public void Dispose() => driver.Dispose();
}
