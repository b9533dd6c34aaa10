using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

public class SharedOutcomeTests
{
    [Fact]
    public void TrySetResult_ResumesEachWaiterThroughTheScheduler_InTheOrderTheyWaited()
    {
        var queue = new ManualQueue();
        var outcome = new SharedOutcome<int>(queue.Scheduler);
        var resumed = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            int me = i;
            _ = outcome.WaitAsync().ContinueWith(t => resumed.Add(me * 100 + t.Result), TaskContinuationOptions.ExecuteSynchronously);
        }

        Assert.True(outcome.TrySetResult(7));

        Assert.Empty(resumed);
        Assert.Equal(3, queue.RunAll());
        Assert.Equal([7, 107, 207], resumed);
        Assert.False(outcome.TrySetResult(8));
    }

    [Fact]
    public async Task WaitAsync_AfterTheOutcome_IsCompletedAtOnce()
    {
        var outcome = new SharedOutcome<string>(new ManualQueue().Scheduler);
        outcome.TrySetResult("done");

        var late = outcome.WaitAsync();

        Assert.True(late.IsCompletedSuccessfully);
        Assert.Equal("done", await late);
        Assert.False(outcome.Failed);
    }

    [Fact]
    public void TrySetException_FailsEveryWaiterWithTheError()
    {
        var queue = new ManualQueue();
        var outcome = new SharedOutcome<int>(queue.Scheduler);
        var first = outcome.WaitAsync();
        var second = outcome.WaitAsync();
        var error = new IOException("gone");

        outcome.TrySetException(error);
        queue.RunAll();

        Assert.Same(error, first.Exception!.InnerException);
        Assert.Same(error, second.Exception!.InnerException);
        Assert.True(outcome.Failed);
    }

    [Fact]
    public async Task WaitAsync_Canceled_EndsOnlyThatWait()
    {
        var queue = new ManualQueue();
        var outcome = new SharedOutcome<int>(queue.Scheduler);
        using var cancel = new CancellationTokenSource();
        var canceled = outcome.WaitAsync(cancel.Token);
        var other = outcome.WaitAsync();

        cancel.Cancel();
        queue.RunAll();
        outcome.TrySetResult(1);
        Assert.Equal(1, queue.RunAll());

        Assert.True(canceled.IsCanceled);
        Assert.True(other.IsCompletedSuccessfully);
        Assert.Equal(1, await other);
    }

    [Fact]
    public void Follow_TakesTheTasksOutcome()
    {
        var queue = new ManualQueue();
        var outcome = new SharedOutcome<int>(queue.Scheduler);
        var work = new TaskCompletionSource<int>();
        var waiter = outcome.WaitAsync();
        outcome.Follow(work.Task);

        work.SetException(new TimeoutException());
        queue.RunAll();

        Assert.IsType<TimeoutException>(waiter.Exception!.InnerException);
    }
}
