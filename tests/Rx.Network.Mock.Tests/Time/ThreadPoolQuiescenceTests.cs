using Rx.Network.Mock.Time;

namespace Rx.Network.Mock.Tests.Time;

public sealed class ThreadPoolQuiescenceTests
{
    [Fact]
    public async Task WaitAsync_ReturnsOnceQueuedWorkHasRun()
    {
        const int chain = 50_000;
        int done = 0;

        // Each item queues the next: the pool is never idle until the last has run.
        void Step(object? _)
        {
            if (Interlocked.Increment(ref done) < chain)
            {
                ThreadPool.UnsafeQueueUserWorkItem<object?>(Step, null, preferLocal: false);
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem<object?>(Step, null, preferLocal: false);
        await ThreadPoolQuiescence.WaitAsync(TimeProvider.System, MockKit.Patience, CancellationToken.None);

        Assert.Equal(chain, Volatile.Read(ref done));
    }

    [Fact]
    public async Task WaitAsync_TimesOutWhileWorkNeverStops()
    {
        using var stop = new CancellationTokenSource();

        void Step(object? _)
        {
            if (!stop.IsCancellationRequested)
            {
                ThreadPool.UnsafeQueueUserWorkItem<object?>(Step, null, preferLocal: false);
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem<object?>(Step, null, preferLocal: false);
        try
        {
            await Assert.ThrowsAsync<TimeoutException>(() => ThreadPoolQuiescence.WaitAsync(TimeProvider.System, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    [Fact]
    public async Task WaitAsync_HonoursCancellation()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ThreadPoolQuiescence.WaitAsync(TimeProvider.System, MockKit.Patience, cts.Token));
    }

    [Fact]
    public async Task BlockedBaseline_IsLearnedAndNotAboveBusy()
    {
        await ThreadPoolQuiescence.WaitAsync(TimeProvider.System, MockKit.Patience, CancellationToken.None);

        Assert.InRange(ThreadPoolQuiescence.BlockedBaseline, 0, Math.Max(0, ThreadPoolQuiescence.BusyThreads()));
    }
}
