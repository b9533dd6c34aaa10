namespace Rx.Network.Mock.Time;

/// <summary>
/// Runs a virtual-time mock network on the calling thread: the work the network posts (zero-time
/// hops) in order, then the scheduler's next due item, then what that posted, and so on (ADR 0006,
/// ADR 0011 §4). The clock moves only when the run is quiescent.
/// </summary>
/// <remarks>
/// <para>The driver's ready queue is where the mock network's <see cref="Reactive.NetworkScheduler"/>
/// posts (ADR 0011): the library's own hops (a handler started off the stream's stack, an identify
/// exchange started off the event pump, a waiter of a shared dial or of request/reply's handler
/// gate) become posted items here instead of thread-pool items, and the mock's waiters complete
/// without <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>, so an
/// <c>await … .ConfigureAwait(false)</c> continues inline, on this thread, at the virtual instant
/// its data arrived.</para>
/// <para>Code that leaves on its own (<c>Task.Run</c>, a contended <see cref="SemaphoreSlim"/>, a
/// channel, <c>ConfigureAwait(false)</c> after any of those) no longer breaks a run. While it
/// drives, the driver is the thread's <see cref="SynchronizationContext"/>, so a plain
/// <c>await</c> that resumes elsewhere comes back to the ready queue, in posting order. And it
/// knows when the run's code executes on other threads: every drive carries an
/// <see cref="AsyncLocal{T}"/> token whose change callback fires whenever a thread switches into or
/// out of an execution context holding it, which keeps an exact count of other threads running the
/// run's code. Before the clock moves, the run must be quiescent: nothing ready, that count zero and
/// no thread-pool item queued and not yet started (those carry the token but have not switched to
/// it yet; other work of the process can only delay the clock, never let it move early). Until then
/// the driver runs what comes back and waits, bounded in real time.</para>
/// <para>A pool thread that has taken an item of the run but not yet switched to its context (a few
/// dozen instructions) is invisible to both checks, so the driver asks for two quiet observations
/// separated by a <see cref="Thread.Yield"/> before each move of the clock.</para>
/// </remarks>
internal sealed class VirtualTimeDriver
{
    private readonly VirtualClock clock;
    private readonly TimeSpan patience;
    /// <summary>How long a run with nothing due is watched for work coming back before it is declared stuck.</summary>
    private const int GraceMilliseconds = 100;

    private readonly Lock gate = new();
    private readonly Queue<Action> ready = new();
    private readonly AsyncLocal<object?> run;
    private readonly object token = new();
    private readonly object wake = new();
    private readonly DriverContext context;
    private int driverThread;
    private int elsewhere;

    /// <summary>Creates the driver of <paramref name="clock"/>.</summary>
    /// <param name="clock">The virtual clock.</param>
    /// <param name="patience">The real time the driver waits for the run's work running on other threads to come back before the clock may move.</param>
    public VirtualTimeDriver(VirtualClock clock, TimeSpan patience)
    {
        this.clock = clock;
        this.patience = patience;
        run = new AsyncLocal<object?>(OnRunContextChanged);
        context = new DriverContext(this);
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
        bool foreign;
        lock (gate)
        {
            ready.Enqueue(action);
            foreign = driverThread != 0 && driverThread != Environment.CurrentManagedThreadId;
        }

        if (foreign)
        {
            // Work coming back from another thread: wake a driver that waits for it.
            Wake();
        }
    }

    /// <summary>Runs the posted work, and whatever the run's code on other threads brings back, until none is left; the clock does not move.</summary>
    public void RunUntilIdle() => Drive(() => Settle());

    /// <summary>Runs, in order, every item due at or before <paramref name="ticks"/>, and leaves the clock there.</summary>
    public void AdvanceTo(long ticks) => Drive(() =>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ticks, clock.Ticks);
        while (true)
        {
            Settle();
            if (!clock.RunNext(ticks))
            {
                break;
            }
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
        while (true)
        {
            Settle(done);
            if (done())
            {
                return;
            }

            if (!clock.RunNext(deadline) && !ComesBack(done))
            {
                throw new TimeoutException(clock.TryPeekNextDue(out _)
                    ? $"The operation did not complete within {limit} of virtual time."
                    : $"The operation cannot complete: nothing is scheduled in virtual time, no work is ready and none runs elsewhere, yet it waits (on something outside the mock network?). [elsewhere {Volatile.Read(ref elsewhere)}, pool queue {ThreadPool.PendingWorkItemCount}]");
            }
        }
    });

    private void Drive(Action body)
    {
        int me = Environment.CurrentManagedThreadId;
        if (Interlocked.CompareExchange(ref driverThread, me, 0) != 0)
        {
            throw new InvalidOperationException(driverThread == me
                ? "Virtual time cannot be driven from inside the work it runs (a handler or continuation called AdvanceBy/RunAsync)."
                : "Virtual time is already being driven by another thread; drive a mock network from one thread.");
        }

        // Continuations that capture the context come back here (the test framework's own context
        // would run them elsewhere), and everything started here carries the run's token.
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        run.Value = token;
        try
        {
            DrainReady();
            body();
            DrainReady();
        }
        finally
        {
            run.Value = null;
            SynchronizationContext.SetSynchronizationContext(previous);
            Volatile.Write(ref driverThread, 0);
        }
    }

    /// <summary>
    /// Runs the ready work until the run is quiescent (or <paramref name="done"/> holds): nothing
    /// ready, none of the run's code executing on another thread, no pool item queued.
    /// </summary>
    private void Settle(Func<bool>? done = null)
    {
        long waitedSince = 0;
        while (true)
        {
            DrainReady();
            if (done?.Invoke() == true || IsQuiescent())
            {
                return;
            }

            if (waitedSince == 0)
            {
                waitedSince = Environment.TickCount64;
            }
            else if (patience != Timeout.InfiniteTimeSpan && Environment.TickCount64 - waitedSince > patience.TotalMilliseconds)
            {
                throw new TimeoutException(
                    $"Code of this run kept running on other threads for {patience} of real time while virtual time waited for it (a blocked Task.Run, a thread that never returns?).");
            }

            // Woken by work posted back or by the count of threads elsewhere dropping to zero;
            // polled, because a queued pool item signals nothing when it starts.
            lock (wake)
            {
                Monitor.Wait(wake, 1);
            }
        }
    }

    /// <summary>
    /// Nothing is due in virtual time, yet the operation waits: gives work of the run that a pool
    /// thread took but has not started (invisible to the counts) a short real-time grace to show
    /// itself. Nothing due means the clock cannot move early meanwhile.
    /// </summary>
    /// <returns>Whether anything came back (drive on), or the run is stuck.</returns>
    private bool ComesBack(Func<bool> done)
    {
        if (clock.TryPeekNextDue(out _))
        {
            return false;
        }

        long since = Environment.TickCount64;
        while (Environment.TickCount64 - since < GraceMilliseconds)
        {
            lock (wake)
            {
                Monitor.Wait(wake, 1);
            }

            if (done() || !QuietOnce())
            {
                return true;
            }
        }

        return false;
    }

    private bool IsQuiescent()
    {
        long completed = ThreadPool.CompletedWorkItemCount;
        if (!QuietOnce())
        {
            return false;
        }

        // A pool thread may have taken an item of the run without having switched to its context
        // yet (invisible to both counts): look again after letting it run, and distrust a pool
        // that finished anything meanwhile (such an item may have been ours).
        Thread.Yield();
        return QuietOnce() && ThreadPool.CompletedWorkItemCount == completed;
    }

    private bool QuietOnce()
    {
        lock (gate)
        {
            if (ready.Count > 0)
            {
                return false;
            }
        }

        return Volatile.Read(ref elsewhere) == 0 && ThreadPool.PendingWorkItemCount == 0;
    }

    private void DrainReady()
    {
        while (true)
        {
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

    private void Wake()
    {
        lock (wake)
        {
            Monitor.PulseAll(wake);
        }
    }

    /// <summary>Counts the threads other than the driver that are executing the run's code.</summary>
    private void OnRunContextChanged(AsyncLocalValueChangedArgs<object?> change)
    {
        if (!change.ThreadContextChanged || Environment.CurrentManagedThreadId == Volatile.Read(ref driverThread))
        {
            return;
        }

        bool was = ReferenceEquals(change.PreviousValue, token);
        bool @is = ReferenceEquals(change.CurrentValue, token);
        if (@is && !was)
        {
            Interlocked.Increment(ref elsewhere);
        }
        else if (was && !@is && Interlocked.Decrement(ref elsewhere) <= 0)
        {
            Wake();
        }
    }

    /// <summary>The driver as a synchronization context: posts go to its ready queue.</summary>
    private sealed class DriverContext(VirtualTimeDriver driver) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
            ArgumentNullException.ThrowIfNull(d);
            driver.Post(() => d(state));
        }

        public override void Send(SendOrPostCallback d, object? state)
        {
            ArgumentNullException.ThrowIfNull(d);
            if (driver.OnDriverThread)
            {
                d(state);
                return;
            }

            using var sent = new ManualResetEventSlim();
            Exception? error = null;
            driver.Post(() =>
            {
                try
                {
                    d(state);
                }
                catch (Exception e)
                {
                    error = e;
                }
                finally
                {
                    sent.Set();
                }
            });
            sent.Wait();
            if (error is not null)
            {
                throw new InvalidOperationException("A callback sent to the virtual-time driver failed.", error);
            }
        }

        public override SynchronizationContext CreateCopy() => this;
    }
}
