using System.IO.Pipelines;

namespace Rx.Network.Mock.Stack;

/// <summary>
/// The bound on one direction of a mock connection, like a TCP window: bytes the sender flushed
/// that the receiver has not consumed yet. The sender's flush waits while they reach the capacity;
/// the receiver's reads give credit back.
/// </summary>
internal sealed class ReceiveCredit
{
    private readonly object gate = new();
    private readonly long capacity;
    private long outstanding;
    private bool unbounded;
    private bool cancelNext;
    private Exception? failure;
    private TaskCompletionSource<FlushResult>? waiter;
    private CancellationTokenRegistration registration;

    public ReceiveCredit(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1L);
        this.capacity = capacity;
    }

    /// <summary>Bytes sent and not yet consumed.</summary>
    public long Outstanding
    {
        get
        {
            lock (gate)
            {
                return outstanding;
            }
        }
    }

    /// <summary>The sender sent <paramref name="bytes"/>.</summary>
    public void Add(long bytes)
    {
        lock (gate)
        {
            outstanding += bytes;
        }
    }

    /// <summary>The receiver consumed (or dropped) <paramref name="bytes"/>.</summary>
    public void Release(long bytes)
    {
        TaskCompletionSource<FlushResult>? woken = null;
        lock (gate)
        {
            outstanding -= bytes;
            if (waiter is not null && outstanding < capacity)
            {
                woken = TakeWaiter();
            }
        }

        woken?.TrySetResult(new FlushResult(isCanceled: false, isCompleted: false));
    }

    /// <summary>The receiver will read no more: the sender never waits again (what it sends is dropped).</summary>
    public void Unbound()
    {
        TaskCompletionSource<FlushResult>? woken;
        lock (gate)
        {
            unbounded = true;
            woken = TakeWaiter();
        }

        woken?.TrySetResult(new FlushResult(isCanceled: false, isCompleted: false));
    }

    /// <summary>The connection failed: the waiting flush, and every later one, fails with <paramref name="error"/>.</summary>
    public void Fail(Exception error)
    {
        TaskCompletionSource<FlushResult>? woken;
        lock (gate)
        {
            failure ??= error;
            woken = TakeWaiter();
        }

        woken?.TrySetException(error);
    }

    /// <summary>Ends the waiting flush, or else the next one, with <see cref="FlushResult.IsCanceled"/>.</summary>
    public void CancelPendingWait()
    {
        TaskCompletionSource<FlushResult>? woken;
        lock (gate)
        {
            woken = TakeWaiter();
            cancelNext = woken is null;
        }

        woken?.TrySetResult(new FlushResult(isCanceled: true, isCompleted: false));
    }

    /// <summary>Completes once there is room (at once when there is).</summary>
    public ValueTask<FlushResult> WaitAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<FlushResult> pending;
        lock (gate)
        {
            if (failure is not null)
            {
                return ValueTask.FromException<FlushResult>(failure);
            }

            if (cancelNext)
            {
                cancelNext = false;
                return new(new FlushResult(isCanceled: true, isCompleted: false));
            }

            if (unbounded || outstanding < capacity)
            {
                return new(new FlushResult(isCanceled: false, isCompleted: false));
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<FlushResult>(cancellationToken);
            }

            if (waiter is not null)
            {
                throw new InvalidOperationException("A flush is already waiting on this connection.");
            }

            pending = waiter = new TaskCompletionSource<FlushResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        if (cancellationToken.CanBeCanceled)
        {
            var reg = cancellationToken.Register(static (state, token) =>
            {
                var (self, tcs) = ((ReceiveCredit, TaskCompletionSource<FlushResult>))state!;
                lock (self.gate)
                {
                    if (!ReferenceEquals(self.waiter, tcs))
                    {
                        return;
                    }

                    self.waiter = null;
                }

                tcs.TrySetCanceled(token);
            }, (this, pending));
            lock (gate)
            {
                if (ReferenceEquals(waiter, pending))
                {
                    registration = reg;
                    reg = default;
                }
            }

            reg.Dispose();
        }

        return new(pending.Task);
    }

    private TaskCompletionSource<FlushResult>? TakeWaiter()
    {
        var taken = waiter;
        waiter = null;

        // Unregister, not Dispose: Dispose waits for a running callback, which waits for our lock.
        registration.Unregister();
        registration = default;
        return taken;
    }
}
