namespace Rx.Network.Mock.Time;

/// <summary>
/// Runs a virtual-time mock network on the calling thread: the work the network posts (zero-time
/// hops) in order, then the scheduler's next due item, then what that posted, and so on (ADR 0006,
/// ADR 0011 §4). Before each of those steps the run must be quiescent: none of its code queued to
/// or executing on the thread pool.
/// </summary>
/// <remarks>
/// <para>The driver's ready queue is where the mock network's <see cref="Reactive.NetworkScheduler"/>
/// posts (ADR 0011): the library's own hops become posted items here instead of thread-pool items,
/// and the mock's waiters complete without <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>.
/// The driver runs with no <see cref="SynchronizationContext"/>, so an
/// <c>await … .ConfigureAwait(false)</c> continues inline, on this thread, at the virtual instant
/// its data arrived. (A context of the driver's own would send every such continuation to the
/// thread pool: the runtime inlines a continuation only where no context or non-default task
/// scheduler is current. That is what made the first tolerant driver reorder events of one
/// instant.)</para>
/// <para>Code that leaves on its own (<c>Task.Run</c>, a contended <see cref="SemaphoreSlim"/>, a
/// channel, <c>Task.Yield</c>) runs on the thread pool, and the driver waits for it before its next
/// step: <see cref="RunWatch"/> counts exactly the run's work queued to the pool and the threads
/// executing it. One step and what it sets off on the pool finish before the next step starts,
/// and the pieces take turns, one at a time, in the order the run queued them, so the order stays a
/// function of the inputs and the seed; only a piece the pool never runs (run inline by a waiter)
/// lets the others go after a bounded wait, in the order the operating system gives them, still in
/// exact virtual time. Code started outside the run is not counted.</para>
/// </remarks>
internal sealed class VirtualTimeDriver
{
    /// <summary>How long queued work of the run may stay untaken while the pool is empty before it is taken to have been run inline.</summary>
    private const int StaleQueuedMilliseconds = 200;

    /// <summary>How long a pool thread waits for work the run queued before its own (which may never come to the pool: run inline by a waiter).</summary>
    private const int OrderPatienceMilliseconds = 200;

    private readonly VirtualClock clock;
    private readonly TimeSpan patience;
    private readonly Lock gate = new();
    private readonly Queue<Action> ready = new();
    private readonly object wake = new();
    private int driverThread;
    private readonly SortedSet<long> outstanding = [];
    private long lastSequence;
    private int elsewhere;
    private int holder;
    private bool stepping;

    /// <summary>Creates the driver of <paramref name="clock"/>.</summary>
    /// <param name="clock">The virtual clock.</param>
    /// <param name="patience">The real time the driver waits for the run's work on the thread pool before it gives up.</param>
    public VirtualTimeDriver(VirtualClock clock, TimeSpan patience)
    {
        this.clock = clock;
        this.patience = patience;
        RunWatch.EnsureListening();
    }

    /// <summary>The scheduler whose clock this driver moves.</summary>
    public VirtualClock Clock => clock;

    /// <summary>Whether the calling thread is running this driver's work right now.</summary>
    public bool OnDriverThread => Volatile.Read(ref driverThread) == Environment.CurrentManagedThreadId;

    /// <summary>Whether a thread other than the calling one drives right now.</summary>
    public bool DrivenElsewhere
    {
        get
        {
            int owner = Volatile.Read(ref driverThread);
            return owner != 0 && owner != Environment.CurrentManagedThreadId;
        }
    }

    /// <summary>Queues <paramref name="action"/> to run on the driver, after the work queued before it.</summary>
    public void Post(Action action)
    {
        lock (gate)
        {
            ready.Enqueue(action);
        }
    }

    /// <summary>Runs the posted work, and what the run's code on the pool brings back, until none is left; the clock does not move.</summary>
    public void RunUntilIdle() => Drive(() => { });

    /// <summary>Runs, in order, every item due at or before <paramref name="ticks"/>, and leaves the clock there.</summary>
    public void AdvanceTo(long ticks) => Drive(() =>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ticks, clock.Ticks);
        while (clock.RunNext(ticks))
        {
            DrainReady();
        }

        clock.MoveTo(ticks);
    });

    /// <summary>
    /// Starts <paramref name="start"/> on the driver and runs until <paramref name="done"/> holds or
    /// <paramref name="limit"/> of virtual time has passed.
    /// </summary>
    /// <exception cref="TimeoutException">Not done within the limit, or nothing left that could make it so.</exception>
    public void RunUntil(Action start, Func<bool> done, TimeSpan limit) => Drive(() =>
    {
        long deadline = limit == Timeout.InfiniteTimeSpan || long.MaxValue - clock.Ticks < limit.Ticks
            ? long.MaxValue
            : clock.Ticks + limit.Ticks;
        start();
        DrainReady();
        while (!done())
        {
            // DrainReady left the run quiescent: nothing ready, nothing of it on the pool.
            if (!clock.RunNext(deadline))
            {
                throw new TimeoutException(clock.TryPeekNextDue(out _)
                    ? $"The operation did not complete within {limit} of virtual time."
                    : "The operation cannot complete: nothing is scheduled in virtual time, no work is ready and none of the run's code is on the thread pool, yet it waits (on something outside the mock network, such as a Task.Delay without the network's TimeProvider?).");
            }

            DrainReady();
        }
    });

    /// <summary>The run queued an item to the thread pool; its place in the run's order.</summary>
    internal long Queued()
    {
        lock (wake)
        {
            long sequence = ++lastSequence;
            outstanding.Add(sequence);
            return sequence;
        }
    }

    /// <summary>An item the run queued turned out not to run the run's code (or was run inline): no longer awaited.</summary>
    internal void Settled(long sequence)
    {
        lock (wake)
        {
            if (outstanding.Remove(sequence))
            {
                Monitor.PulseAll(wake);
            }
        }
    }

    /// <summary>
    /// The calling thread (not the driver) switches into the run's context: it is counted, then
    /// waits for its turn — while the driver drives, the run's code runs on one thread at a time,
    /// between the driver's steps, in the order the run queued it.
    /// </summary>
    /// <param name="sequence">The queued item it runs, if it took one.</param>
    internal void EnterTurn(long? sequence)
    {
        RunWatch.PoolThreadWaits(1);
        try
        {
            EnterTurnCore(sequence);
        }
        finally
        {
            RunWatch.PoolThreadWaits(-1);
        }
    }

    private void EnterTurnCore(long? sequence)
    {
        lock (wake)
        {
            elsewhere++;
            long since = Environment.TickCount64;
            while (driverThread != 0 && (stepping || holder != 0 || (sequence is { } mine && outstanding.Min != mine
                && Environment.TickCount64 - since < OrderPatienceMilliseconds)))
            {
                if (patience != Timeout.InfiniteTimeSpan && Environment.TickCount64 - since > patience.TotalMilliseconds)
                {
                    // The driver waits for something this thread's caller holds (a run that blocks
                    // synchronously on its own pool work): go on rather than hang.
                    break;
                }

                Monitor.Wait(wake, 1);
            }

            if (sequence is { } taken)
            {
                outstanding.Remove(taken);
            }

            if (driverThread != 0 && holder == 0)
            {
                holder = Environment.CurrentManagedThreadId;
            }
        }
    }

    /// <summary>The calling thread (not the driver) switches out of the run's context: its turn ends.</summary>
    /// <param name="thread">The thread whose turn ends, when not the calling one (the driver ending a turn kept by an idle thread).</param>
    internal void LeaveTurn(int? thread = null)
    {
        lock (wake)
        {
            elsewhere--;
            if (holder == (thread ?? Environment.CurrentManagedThreadId))
            {
                holder = 0;
            }

            Monitor.PulseAll(wake);
        }
    }

    private void Drive(Action body)
    {
        int me = Environment.CurrentManagedThreadId;
        int owner;
        lock (wake)
        {
            owner = driverThread;
            if (owner == 0)
            {
                driverThread = me;
                stepping = true;
            }
        }

        if (owner != 0)
        {
            throw new InvalidOperationException(owner == me
                ? "Virtual time cannot be driven from inside the work it runs (a handler or continuation called AdvanceBy/RunAsync)."
                : "Virtual time is already being driven by another thread; drive a mock network from one thread.");
        }

        // No synchronization context (the test framework's would capture continuations started
        // here and run them elsewhere; any context would stop the runtime from inlining
        // ConfigureAwait(false) continuations), and everything started here carries the run.
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        bool wasCounted = RunWatch.BeginDrive(this);
        var outer = RunWatch.Current;
        RunWatch.Current = this;
        try
        {
            DrainReady();
            body();
            DrainReady();
        }
        finally
        {
            RunWatch.Current = outer;
            SynchronizationContext.SetSynchronizationContext(context);
            lock (wake)
            {
                stepping = false;
                driverThread = 0;
                Monitor.PulseAll(wake);
            }

            RunWatch.EndDrive(this, wasCounted);
        }
    }

    /// <summary>Runs the ready work, each item only once the run is quiescent, until none is left and the run is quiescent.</summary>
    private void DrainReady()
    {
        while (true)
        {
            AwaitQuiescence();
            Action? next;
            lock (gate)
            {
                if (!ready.TryDequeue(out next))
                {
                    return;
                }
            }

            next();
        }
    }

    /// <summary>
    /// Waits until none of the run's code is queued to or executing on the thread pool, giving the
    /// run's code on other threads its turns meanwhile.
    /// </summary>
    private void AwaitQuiescence()
    {
        lock (wake)
        {
            if (Quiet)
            {
                stepping = true;
                return;
            }

            stepping = false;
            Monitor.PulseAll(wake);
        }

        RunWatch.PoolThreadWaits(1);
        try
        {
            AwaitQuiescenceCore();
        }
        finally
        {
            RunWatch.PoolThreadWaits(-1);
        }
    }

    private void AwaitQuiescenceCore()
    {
        long since = Environment.TickCount64;
        long poolEmptySince = 0;
        while (true)
        {
            lock (wake)
            {
                if (Quiet)
                {
                    stepping = true;
                    return;
                }

                Monitor.Wait(wake, 1);
                if (Quiet)
                {
                    stepping = true;
                    return;
                }
            }

            bool contended;
            lock (wake)
            {
                contended = holder != 0 && elsewhere > 1;
            }

            if (contended)
            {
                RunWatch.ReleaseContendedLingers(this);
            }

            RunWatch.ReleaseStaleClaims(this);
            if (RunWatch.PoolIdle())
            {
                RunWatch.ReleaseIdle(this);
            }

            long now = Environment.TickCount64;
            if (Volatile.Read(ref elsewhere) == 0 && ThreadPool.PendingWorkItemCount == 0)
            {
                // Queued work that no pool thread takes while the pool is empty was run inline by
                // a waiter (a Task.Run a pool thread waited for synchronously).
                if (poolEmptySince == 0)
                {
                    poolEmptySince = now;
                }
                else if (now - poolEmptySince > StaleQueuedMilliseconds)
                {
                    RunWatch.ForgetQueued(this);
                    poolEmptySince = 0;
                }
            }
            else
            {
                poolEmptySince = 0;
            }

            if (patience != Timeout.InfiniteTimeSpan && now - since > patience.TotalMilliseconds)
            {
                throw new TimeoutException(
                    $"Code of this run kept running on the thread pool for {patience} of real time while virtual time waited for it (a Task.Run that blocks, a thread that never returns?).");
            }
        }
    }

    /// <summary>Nothing of the run queued, claimed or executing elsewhere; read under the lock.</summary>
    private bool Quiet => outstanding.Count == 0 && elsewhere == 0;
}
