namespace Rx.Network.Reactive;

/// <summary>
/// One outcome many callers wait for — a dial shared by every concurrent caller, one identify
/// exchange per connection — whose waiters each resume through the network's scheduler, in the
/// order they started waiting (ADR 0011), instead of all at once wherever the outcome was set.
/// </summary>
/// <remarks>
/// A waiter that comes after the outcome gets it at once (a completed task). A waiter's
/// cancellation ends only its own wait. A failure is marked observed, since the work behind it
/// may have had no waiter left.
/// </remarks>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class SharedOutcome<T>
{
    private readonly NetworkScheduler scheduler;
    private readonly Lock gate = new();
    private readonly List<Waiter> waiters = [];
    private Task<T>? outcome;

    /// <summary>Creates a pending outcome whose waiters resume on <paramref name="scheduler"/>.</summary>
    /// <param name="scheduler">Where waiters resume.</param>
    public SharedOutcome(NetworkScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        this.scheduler = scheduler;
    }

    /// <summary>The outcome once set (a completed task), or null while pending.</summary>
    public Task<T>? Outcome
    {
        get
        {
            lock (gate)
            {
                return outcome;
            }
        }
    }

    /// <summary>Whether the outcome is set and is a failure or a cancellation.</summary>
    public bool Failed => Outcome is { IsCompletedSuccessfully: false };

    /// <summary>Waits for the outcome.</summary>
    /// <param name="cancellationToken">Ends this caller's wait only.</param>
    /// <returns>The outcome, resumed through the scheduler when it was pending.</returns>
    public Task<T> WaitAsync(CancellationToken cancellationToken = default)
    {
        Waiter waiter;
        lock (gate)
        {
            if (outcome is not null)
            {
                return outcome;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled<T>(cancellationToken);
            }

            waiter = new Waiter(this);
            waiters.Add(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Watch(cancellationToken);
        }

        return waiter.Task;
    }

    /// <summary>Sets a successful outcome.</summary>
    /// <param name="result">The result.</param>
    /// <returns>Whether this call set it (false when it was already set).</returns>
    public bool TrySetResult(T result) => TryComplete(Task.FromResult(result));

    /// <summary>Sets a failed outcome.</summary>
    /// <param name="error">The failure.</param>
    /// <returns>Whether this call set it.</returns>
    public bool TrySetException(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var failed = Task.FromException<T>(error);
        _ = failed.Exception;
        return TryComplete(failed);
    }

    /// <summary>Sets the outcome of <paramref name="task"/> once it completes.</summary>
    /// <param name="task">The work behind the outcome.</param>
    public void Follow(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        _ = task.ContinueWith(
            static (t, state) =>
            {
                var shared = (SharedOutcome<T>)state!;
                if (t.IsCompletedSuccessfully)
                {
                    shared.TrySetResult(t.Result);
                }
                else if (t.IsCanceled)
                {
                    shared.TryComplete(Task.FromCanceled<T>(new CancellationToken(canceled: true)));
                }
                else
                {
                    shared.TrySetException(t.Exception!.InnerExceptions.Count == 1 ? t.Exception.InnerException! : t.Exception);
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            scheduler.Tasks);
    }

    private bool TryComplete(Task<T> completed)
    {
        Waiter[] resuming;
        lock (gate)
        {
            if (outcome is not null)
            {
                return false;
            }

            outcome = completed;
            resuming = [.. waiters];
            waiters.Clear();
        }

        foreach (var waiter in resuming)
        {
            scheduler.Post(() => waiter.Complete(completed));
        }

        return true;
    }

    /// <summary>One caller's wait.</summary>
    private sealed class Waiter(SharedOutcome<T> owner) : TaskCompletionSource<T>(TaskCreationOptions.None)
    {
        private readonly WaitRegistration watch = new();

        public void Watch(CancellationToken cancellationToken) =>
            watch.Watch(static (state, token) => ((Waiter)state!).Cancel(token), this, cancellationToken);

        public void Complete(Task<T> completed)
        {
            Settle();
            if (completed.IsCompletedSuccessfully)
            {
                TrySetResult(completed.Result);
            }
            else if (completed.IsCanceled)
            {
                TrySetCanceled();
            }
            else
            {
                TrySetException(completed.Exception!.InnerExceptions);
            }
        }

        private void Cancel(CancellationToken token)
        {
            lock (owner.gate)
            {
                if (!owner.waiters.Remove(this))
                {
                    // The outcome is already on its way to this waiter.
                    return;
                }
            }

            owner.scheduler.Post(() =>
            {
                Settle();
                TrySetCanceled(token);
            });
        }

        private void Settle() => watch.Settle();
    }
}
