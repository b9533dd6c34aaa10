namespace Rx.Network.Mock.Time;

/// <summary>
/// Runs a virtual-time mock network on the calling thread: the work the network posts (zero-time
/// hops) in order, then the scheduler's next due item, then what that posted, and so on. Nothing
/// runs on the thread pool, so a run is a pure function of the inputs and the seed.
/// </summary>
/// <remarks>
/// <para>The driver's ready queue is where the mock network's <see cref="Reactive.NetworkScheduler"/>
/// posts (ADR 0011): the library's own hops (a handler started off the stream's stack, an identify
/// exchange started off the event pump, a waiter of a shared dial or of request/reply's handler
/// gate) become posted items here instead of thread-pool items, and the mock's waiters complete
/// without <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>, so an
/// <c>await … .ConfigureAwait(false)</c> continues inline, on this thread, at the virtual instant
/// its data arrived.</para>
/// <para>Code that leaves on its own (<c>Task.Run</c>, a contended <see cref="SemaphoreSlim"/>, an
/// await that captures a synchronization context) escapes to the thread pool; the mock notices when
/// such code calls back into the network while the driver runs and fails the drive with an
/// <see cref="InvalidOperationException"/> rather than let the run silently stop being repeatable.</para>
/// </remarks>
internal sealed class VirtualTimeDriver
{
    private readonly VirtualClock clock;
    private readonly Lock gate = new();
    private readonly Queue<Action> ready = new();
    private int driverThread;
    private string? escape;

    public VirtualTimeDriver(VirtualClock clock) => this.clock = clock;

    /// <summary>The scheduler whose clock this driver moves.</summary>
    public VirtualClock Clock => clock;

    /// <summary>Whether the calling thread is running this driver's work right now.</summary>
    public bool OnDriverThread => Volatile.Read(ref driverThread) == Environment.CurrentManagedThreadId;

    /// <summary>Queues <paramref name="action"/> to run on the driver, after the work queued before it.</summary>
    public void Post(Action action)
    {
        lock (gate)
        {
            ready.Enqueue(action);
        }
    }

    /// <summary>
    /// Records that mock-network state was touched from another thread while the driver ran; the
    /// drive then fails. Cheap enough for every entry point.
    /// </summary>
    /// <param name="operation">What was called, for the message.</param>
    public void CheckThread(string operation)
    {
        int owner = Volatile.Read(ref driverThread);
        if (owner != 0 && owner != Environment.CurrentManagedThreadId)
        {
            Interlocked.CompareExchange(
                ref escape,
                $"{operation} ran on thread {Environment.CurrentManagedThreadId} while virtual time was driven on thread {owner}: "
                + "some code hopped to the thread pool (Task.Run, Task.Yield, a contended SemaphoreSlim, an await on a captured context). "
                + "Virtual-time runs are repeatable only when the code under test is started through RunAsync and waits with the network's TimeProvider. "
                + "Where it ran from:" + Environment.NewLine + Environment.StackTrace,
                null);
        }
    }

    /// <summary>Runs the posted work until none is left; the clock does not move.</summary>
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
            if (!clock.RunNext(deadline))
            {
                CheckEscape();
                throw new TimeoutException(clock.TryPeekNextDue(out _)
                    ? $"The operation did not complete within {limit} of virtual time."
                    : "The operation cannot complete: nothing is scheduled in virtual time and no work is ready, yet it waits (on something outside the mock network?).");
            }

            DrainReady();
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

        // The test framework's synchronization context would capture continuations started here and
        // run them elsewhere; without it, ConfigureAwait-free awaits continue inline too.
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            DrainReady();
            body();
            DrainReady();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
            Volatile.Write(ref driverThread, 0);
        }

        CheckEscape();
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

    private void CheckEscape()
    {
        if (Interlocked.Exchange(ref escape, null) is { } message)
        {
            throw new InvalidOperationException(message);
        }
    }
}
