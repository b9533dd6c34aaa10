namespace Rx.Network.Reactive;

/// <summary>
/// A counting gate whose waiters resume through their network's scheduler, in the order they
/// started waiting (ADR 0011): what <see cref="SemaphoreSlim"/> is to the library, minus its habit
/// of resuming a contended waiter on the thread pool, which virtual time cannot order.
/// </summary>
/// <remarks>
/// A free slot is taken synchronously (a completed task, no allocation). A <see cref="Release"/>
/// with waiters hands the slot straight to the first of them and completes it through
/// <see cref="NetworkScheduler.Post"/>, never inline in the releasing code. A canceled waiter
/// leaves the queue and its task is canceled, also through the scheduler.
/// </remarks>
internal sealed class AsyncGate
{
    private readonly NetworkScheduler scheduler;
    private readonly Lock gate = new();
    // Created at the first wait that has to queue: a gate that is never contended (a yamux
    // stream's write lock, one per stream) costs no list.
    private LinkedList<Waiter>? waiters;
    private int free;

    /// <summary>Creates the gate with <paramref name="slots"/> free slots.</summary>
    /// <param name="slots">How many may pass at once.</param>
    /// <param name="scheduler">Where waiters resume.</param>
    public AsyncGate(int slots, NetworkScheduler scheduler)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slots);
        ArgumentNullException.ThrowIfNull(scheduler);
        free = slots;
        this.scheduler = scheduler;
    }

    /// <summary>Slots free right now.</summary>
    public int Free
    {
        get
        {
            lock (gate)
            {
                return free;
            }
        }
    }

    /// <summary>Waiters queued right now.</summary>
    public int Waiting
    {
        get
        {
            lock (gate)
            {
                return waiters?.Count ?? 0;
            }
        }
    }

    /// <summary>Takes a slot, waiting for one if none is free.</summary>
    /// <param name="cancellationToken">Gives up waiting (the task is then canceled and holds no slot).</param>
    /// <returns>A task that completes once the caller holds a slot.</returns>
    public Task WaitAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        Waiter waiter;
        lock (gate)
        {
            if (free > 0)
            {
                free--;
                return Task.CompletedTask;
            }

            waiter = new Waiter(this);
            waiter.Node = (waiters ??= new LinkedList<Waiter>()).AddLast(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Watch(cancellationToken);
        }

        return waiter.Task;
    }

    /// <summary>Takes a slot if one is free, without waiting.</summary>
    /// <returns>Whether the caller now holds a slot.</returns>
    public bool TryEnter()
    {
        lock (gate)
        {
            if (free > 0)
            {
                free--;
                return true;
            }

            return false;
        }
    }

    /// <summary>Gives a slot back: to the first waiter, or to the free count.</summary>
    public void Release()
    {
        Waiter? next;
        lock (gate)
        {
            if (waiters?.First is not { } first)
            {
                free++;
                return;
            }

            next = first.Value;
            waiters!.RemoveFirst();
            next.Node = null;
        }

        scheduler.Post(next.Grant);
    }

    /// <summary>One queued caller.</summary>
    private sealed class Waiter(AsyncGate owner) : TaskCompletionSource(TaskCreationOptions.None)
    {
        private readonly WaitRegistration watch = new();

        /// <summary>The waiter's place in the queue; null once granted or canceled. Guarded by the gate's lock.</summary>
        public LinkedListNode<Waiter>? Node { get; set; }

        public void Watch(CancellationToken cancellationToken) =>
            watch.Watch(static (state, token) => ((Waiter)state!).Cancel(token), this, cancellationToken);

        public void Grant()
        {
            Settle();
            TrySetResult();
        }

        private void Cancel(CancellationToken token)
        {
            lock (owner.gate)
            {
                if (Node is null)
                {
                    // Already granted: the slot is the caller's.
                    return;
                }

                owner.waiters!.Remove(Node);
                Node = null;
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
