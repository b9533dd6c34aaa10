using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

public class AsyncGateTests
{
    [Fact]
    public void WaitAsync_FreeSlot_CompletesSynchronously()
    {
        var queue = new ManualQueue();
        var gate = new AsyncGate(2, queue.Scheduler);

        Assert.True(gate.WaitAsync().IsCompletedSuccessfully);
        Assert.True(gate.WaitAsync().IsCompletedSuccessfully);

        Assert.Equal(0, gate.Free);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void TryEnter_TakesAFreeSlotOnly_AndNeverQueues()
    {
        var queue = new ManualQueue();
        var gate = new AsyncGate(1, queue.Scheduler);

        Assert.True(gate.TryEnter());
        Assert.False(gate.TryEnter());
        Assert.Equal(0, gate.Waiting);

        var waiting = gate.WaitAsync();
        gate.Release();
        Assert.False(gate.TryEnter());
        queue.RunAll();
        Assert.True(waiting.IsCompletedSuccessfully);
        gate.Release();
        Assert.True(gate.TryEnter());
    }

    [Fact]
    public void Release_WithWaiters_GrantsTheFirstThroughTheScheduler_InOrder()
    {
        var queue = new ManualQueue();
        var gate = new AsyncGate(1, queue.Scheduler);
        Assert.True(gate.WaitAsync().IsCompleted);
        var first = gate.WaitAsync();
        var second = gate.WaitAsync();

        gate.Release();

        // Handed over, not completed inline in the releasing code.
        Assert.False(first.IsCompleted);
        Assert.Equal(1, queue.RunAll());
        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        Assert.Equal(0, gate.Free);

        gate.Release();
        queue.RunAll();
        Assert.True(second.IsCompletedSuccessfully);

        gate.Release();
        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public void WaitAsync_Canceled_LeavesTheQueueAndHoldsNoSlot()
    {
        var queue = new ManualQueue();
        var gate = new AsyncGate(1, queue.Scheduler);
        Assert.True(gate.WaitAsync().IsCompleted);
        using var cancel = new CancellationTokenSource();
        var canceled = gate.WaitAsync(cancel.Token);
        var next = gate.WaitAsync();

        cancel.Cancel();
        queue.RunAll();

        Assert.True(canceled.IsCanceled);
        Assert.Equal(1, gate.Waiting);

        // The slot skips the canceled waiter.
        gate.Release();
        queue.RunAll();
        Assert.True(next.IsCompletedSuccessfully);
        Assert.Equal(0, gate.Waiting);
    }

    [Fact]
    public void WaitAsync_AlreadyCanceled_IsCanceledAndTakesNothing()
    {
        var gate = new AsyncGate(1, new ManualQueue().Scheduler);

        Assert.True(gate.WaitAsync(new CancellationToken(canceled: true)).IsCanceled);
        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public void CancelAfterGrant_KeepsTheSlot()
    {
        var queue = new ManualQueue();
        var gate = new AsyncGate(1, queue.Scheduler);
        Assert.True(gate.WaitAsync().IsCompleted);
        using var cancel = new CancellationTokenSource();
        var waiter = gate.WaitAsync(cancel.Token);

        gate.Release();
        cancel.Cancel();
        queue.RunAll();

        Assert.True(waiter.IsCompletedSuccessfully);
        Assert.Equal(0, gate.Free);
    }

    [Fact]
    public async Task ThreadPool_ManyContenders_NeverMoreThanTheLimitInside()
    {
        var gate = new AsyncGate(3, new NetworkScheduler(TimeProvider.System));
        int inside = 0;
        int most = 0;

        await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            await gate.WaitAsync();
            int now = Interlocked.Increment(ref inside);
            InterlockedMax(ref most, now);
            await Task.Yield();
            Interlocked.Decrement(ref inside);
            gate.Release();
        }));

        Assert.InRange(most, 1, 3);
        Assert.Equal(3, gate.Free);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
