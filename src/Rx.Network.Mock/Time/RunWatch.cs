using System.Diagnostics.Tracing;

namespace Rx.Network.Mock.Time;

/// <summary>
/// Knows, exactly, which code of a virtual-time run is on the thread pool (queued and not yet
/// started, or executing), and makes it take turns with the driver (ADR 0011 §4, design B).
/// </summary>
/// <remarks>
/// <para>Executing: every drive sets <see cref="Current"/>, an <see cref="AsyncLocal{T}"/> that
/// flows into everything the run starts (a <c>Task.Run</c>, a continuation queued to the pool). Its
/// change callback runs on a thread whenever it switches into or out of an execution context
/// holding it, before the run's code runs there: the driver counts the thread, and the thread waits
/// for its turn (<see cref="VirtualTimeDriver.EnterTurn"/>).</para>
/// <para>Queued: an in-process listener of the runtime's thread-pool events
/// (<c>ThreadPoolEnqueueWork</c>, <c>ThreadPoolDequeueWork</c> of
/// <c>System.Diagnostics.Eventing.FrameworkEventSource</c>), raised synchronously on the thread
/// that queues and on the pool thread that takes the item. An item queued while the queuing
/// thread runs a run's code is that run's, numbered in the order the run queued it, until the
/// thread that takes it switches into the run's context, or shows it ran something else (it takes
/// its next item, or holds the claim for <see cref="StaleClaimMilliseconds"/>: an item queued by
/// the run to wake code outside it). What such a thread queues meanwhile is the run's too (a consumer
/// the run woke that in turn wakes a writer of the run).</para>
/// <para>Ending: a thread that leaves the run's context inside a task keeps its turn until the
/// task's <c>TaskCompleted</c> event (its continuations are still to come); a task that started
/// before those events were on never reports it, so kept turns, like claims, end after
/// <see cref="StaleClaimMilliseconds"/>, or at once when the whole pool is idle
/// (<see cref="PoolIdle"/>; never in a test host, which keeps pool threads blocked for its whole
/// run).</para>
/// <para>The listener turns those two events on for the whole process once a virtual-time mock
/// network exists (a cost per thread-pool item of about a microsecond; the mock's own work never
/// touches the pool).</para>
/// </remarks>
internal static class RunWatch
{
    /// <summary>How long a pool thread may hold an item of the run without switching into its context before the item counts as someone else's.</summary>
    public const int StaleClaimMilliseconds = 1_000;

    /// <summary>How long a turn kept for a task may hold off another thread of the run that waits for its turn.</summary>
    private const int ContendedLingerMilliseconds = 2;

    /// <summary>The fewest thread-pool workers the process keeps ready once a virtual-time network exists.</summary>
    private const int MinimumWorkers = 64;

    /// <summary>How old a kept turn or a claim must be before an idle pool ends it (the thread has gone idle, not merely not yet reported).</summary>
    private const int IdleGraceMilliseconds = 5;

    private const string PoolEventSource = "System.Diagnostics.Eventing.FrameworkEventSource";
    private const EventKeywords ThreadPoolKeywords = (EventKeywords)(0x2 | 0x10);
    private const string TaskEventSource = "System.Threading.Tasks.TplEventSource";
    private const EventKeywords TaskKeywords = (EventKeywords)0x2;

    private static readonly AsyncLocal<VirtualTimeDriver?> current = new(OnContextChanged);
    private static readonly Lock gate = new();
    private static readonly Dictionary<long, Queue<(VirtualTimeDriver Driver, long Sequence)>> queued = [];
    private static readonly Dictionary<Thread, Claim> claims = [];
    private static readonly Dictionary<Thread, Linger> lingering = [];
    private static PoolListener? listener;
    private static int claimCount;
    private static int waitingPoolThreads;
    private static int taskEvents;

    /// <summary>The driver whose run this thread executes right now (counted and holding its turn).</summary>
    [ThreadStatic]
    private static VirtualTimeDriver? countedFor;

    /// <summary>
    /// The task inside which this thread left the run's context while still counted: the runtime
    /// leaves a task's context before it runs or queues the task's continuations, so the thread
    /// keeps its turn until the task's TaskCompleted event.
    /// </summary>
    [ThreadStatic]
    private static int lingerTask;

    /// <summary>The driver whose run the calling code belongs to; set by a drive.</summary>
    public static VirtualTimeDriver? Current
    {
        get => current.Value;
        set => current.Value = value;
    }

    /// <summary>Whether the process's thread-pool events reach the watch (the exact count of queued work depends on them).</summary>
    public static bool Listening => listener is { Enabled: true } l && Volatile.Read(ref l.Seen) > 0;

    /// <summary>Starts listening to the thread pool's events, once per process.</summary>
    public static void EnsureListening()
    {
        if (Volatile.Read(ref listener) is not null)
        {
            return;
        }

        lock (gate)
        {
            if (listener is not null)
            {
                return;
            }

            // Threads of a run wait inside the mock for their turn, and the driver may itself be a
            // pool thread: with only one worker per core, the item whose turn it is could sit queued
            // until the pool's starvation detection adds a thread (half a second per thread).
            ThreadPool.GetMinThreads(out int workers, out int completionPorts);
            if (workers < MinimumWorkers)
            {
                ThreadPool.SetMinThreads(MinimumWorkers, completionPorts);
            }

            var created = new PoolListener();

            // The pool reads whether to raise its events when a worker enters its dispatch loop,
            // so items queued right after enabling may go unseen: queue no-op items until one is
            // seen (bounded; without the events the driver still counts the run's code that
            // executes, only queued items go unseen).
            long deadline = Environment.TickCount64 + 10_000;
            while (Volatile.Read(ref created.Seen) == 0 && Environment.TickCount64 < deadline)
            {
                using var ran = new ManualResetEventSlim();
                ThreadPool.UnsafeQueueUserWorkItem(static r => r.Set(), ran, preferLocal: false);
                ran.Wait(TimeSpan.FromSeconds(1));
                if (Volatile.Read(ref created.Seen) == 0)
                {
                    Thread.Sleep(5);
                }
            }

            Volatile.Write(ref listener, created);
        }
    }

    /// <summary>
    /// The calling thread starts driving <paramref name="driver"/>: if it was executing that run's
    /// code as another thread, it stops being counted (the driver does not wait for itself).
    /// </summary>
    /// <returns>Whether the thread was counted, for <see cref="EndDrive"/>.</returns>
    public static bool BeginDrive(VirtualTimeDriver driver)
    {
        if (countedFor != driver)
        {
            return false;
        }

        countedFor = null;
        if (lingerTask != 0)
        {
            // Its run code had ended; only the task's continuations were still to come.
            if (EndLinger())
            {
                driver.LeaveTurn();
            }

            return false;
        }

        driver.LeaveTurn();
        return true;
    }

    /// <summary>The calling thread stops driving; counted again when it was before.</summary>
    public static void EndDrive(VirtualTimeDriver driver, bool wasCounted)
    {
        if (wasCounted && countedFor is null)
        {
            countedFor = driver;
            driver.EnterTurn(null);
        }
    }

    /// <summary>
    /// Releases the claims of <paramref name="driver"/>, and the turns kept for tasks, held longer
    /// than <see cref="StaleClaimMilliseconds"/> (a task that started before the task events were on
    /// never reports its completion).
    /// </summary>
    public static void ReleaseStaleClaims(VirtualTimeDriver driver) => ReleaseOlderThan(driver, StaleClaimMilliseconds);

    /// <summary>Forgets the queued items of <paramref name="driver"/> (run inline by a waiter, so no pool thread will take them).</summary>
    public static void ForgetQueued(VirtualTimeDriver driver)
    {
        lock (gate)
        {
            foreach (var (id, items) in queued.ToArray())
            {
                var kept = new Queue<(VirtualTimeDriver Driver, long Sequence)>();
                foreach (var item in items)
                {
                    if (item.Driver == driver)
                    {
                        driver.Settled(item.Sequence);
                    }
                    else
                    {
                        kept.Enqueue(item);
                    }
                }

                if (kept.Count == 0)
                {
                    queued.Remove(id);
                }
                else
                {
                    queued[id] = kept;
                }
            }
        }
    }

    private static void OnContextChanged(AsyncLocalValueChangedArgs<VirtualTimeDriver?> change)
    {
        if (!change.ThreadContextChanged)
        {
            // A drive setting or clearing its own value on its thread.
            return;
        }

        var next = change.CurrentValue;
        var counted = countedFor;
        if (counted == next)
        {
            if (next is not null && lingerTask != 0 && !EndLinger())
            {
                // Back into the run inside the task it lingered in (an inline continuation), after
                // the driver ended the turn kept for it (idle pool, or a second gone): counted again.
                next.EnterTurn(null);
            }

            return;
        }

        if (counted is not null)
        {
            if (next is null && lingerTask == 0 && TaskEventsOn && Task.CurrentId is int task)
            {
                // Leaving the run's context inside a task: its continuations are still to come.
                lingerTask = task;
                lock (gate)
                {
                    lingering[Thread.CurrentThread] = new Linger(counted, Environment.TickCount64);
                }

                return;
            }

            countedFor = null;
            if (lingerTask == 0 || EndLinger())
            {
                counted.LeaveTurn();
            }
        }

        if (next is not null && !next.OnDriverThread)
        {
            // The item this thread took, if it is the run's: its place in the run's order.
            long? sequence = null;
            if (Volatile.Read(ref claimCount) > 0)
            {
                lock (gate)
                {
                    if (claims.Remove(Thread.CurrentThread, out var claim))
                    {
                        claimCount--;
                        if (claim.Driver == next)
                        {
                            sequence = claim.Sequence;
                        }
                        else
                        {
                            claim.Driver.Settled(claim.Sequence);
                        }
                    }
                }
            }

            countedFor = next;
            next.EnterTurn(sequence);
        }
    }

    private static bool TaskEventsOn => Volatile.Read(ref taskEvents) == 1;

    /// <summary>A task finished on this thread (after running or queueing its continuations): a turn kept for it ends.</summary>
    private static void OnTaskCompleted(int task)
    {
        if (lingerTask != 0 && lingerTask == task && countedFor is { } counted)
        {
            countedFor = null;
            if (EndLinger())
            {
                counted.LeaveTurn();
            }
        }
    }

    private static void OnEnqueued(long id)
    {
        var driver = current.Value ?? (lingerTask != 0 ? countedFor : null);
        if (driver is null && Volatile.Read(ref claimCount) == 0)
        {
            return;
        }

        lock (gate)
        {
            if (driver is null)
            {
                // Queued by a thread running an item the run queued, outside the run's context (a
                // consumer the run woke, reading a channel and so waking a writer of the run):
                // work set off by the run's work is the run's until it shows otherwise.
                if (!claims.TryGetValue(Thread.CurrentThread, out var claim))
                {
                    return;
                }

                driver = claim.Driver;
            }

            if (!queued.TryGetValue(id, out var items))
            {
                queued[id] = items = new Queue<(VirtualTimeDriver Driver, long Sequence)>(1);
            }

            items.Enqueue((driver, driver.Queued()));
        }
    }

    private static void OnDequeued(long id)
    {
        var thread = Thread.CurrentThread;
        if (lingerTask != 0 && countedFor is { } lingered)
        {
            countedFor = null;
            if (EndLinger())
            {
                lingered.LeaveTurn();
            }
        }

        lock (gate)
        {
            // Between two items: what this thread took before and never ran as the run's is over.
            if (claimCount > 0 && claims.Remove(thread, out var previous))
            {
                claimCount--;
                previous.Driver.Settled(previous.Sequence);
            }

            if (queued.Count == 0 || !queued.TryGetValue(id, out var items))
            {
                return;
            }

            var (driver, sequence) = items.Dequeue();
            if (items.Count == 0)
            {
                queued.Remove(id);
            }

            claims[thread] = new Claim(driver, sequence, Environment.TickCount64);
            claimCount++;
        }

        // The first item of a run on the pool: from now on tasks report their completion (before
        // this item starts, so it does too). Runs that never leave the driver do not pay for it.
        if (!TaskEventsOn)
        {
            listener?.EnableTaskEvents();
        }
    }

    /// <summary>Ends the calling thread's linger; whether it still held its turn (the driver had not ended it).</summary>
    private static bool EndLinger()
    {
        lingerTask = 0;
        lock (gate)
        {
            return lingering.Remove(Thread.CurrentThread);
        }
    }

    /// <summary>
    /// The pool is idle (nothing queued, no worker busy but those waiting in the mock): the turns
    /// kept for tasks that never reported their completion and the claims of items whose threads
    /// went idle without switching into the run are over.
    /// </summary>
    /// <returns>Whether anything was released.</returns>
    public static bool ReleaseIdle(VirtualTimeDriver driver) => ReleaseOlderThan(driver, IdleGraceMilliseconds);

    /// <summary>
    /// Ends the turns kept for tasks (<see cref="Linger"/>) older than <see cref="ContendedLingerMilliseconds"/>
    /// while another thread of the run waits for its turn: the kept turn only orders the task's
    /// continuations after the others, and a task that waits for the waiting thread (a Dataflow
    /// block offering to a target that thread runs) would otherwise hold the run for a second.
    /// The released thread is counted again as soon as it switches back into the run.
    /// </summary>
    public static void ReleaseContendedLingers(VirtualTimeDriver driver)
    {
        long now = Environment.TickCount64;
        lock (gate)
        {
            foreach (var (thread, linger) in lingering.ToArray())
            {
                if (linger.Driver == driver && now - linger.Since >= ContendedLingerMilliseconds)
                {
                    lingering.Remove(thread);
                    driver.LeaveTurn(thread.ManagedThreadId);
                }
            }
        }
    }

    private static bool ReleaseOlderThan(VirtualTimeDriver driver, int milliseconds)
    {
        long now = Environment.TickCount64;
        bool released = false;
        lock (gate)
        {
            foreach (var (thread, linger) in lingering.ToArray())
            {
                if (linger.Driver == driver && now - linger.Since >= milliseconds)
                {
                    lingering.Remove(thread);
                    driver.LeaveTurn(thread.ManagedThreadId);
                    released = true;
                }
            }

            foreach (var (thread, claim) in claims.ToArray())
            {
                if (claim.Driver == driver && now - claim.Since >= milliseconds)
                {
                    claims.Remove(thread);
                    claimCount--;
                    driver.Settled(claim.Sequence);
                    released = true;
                }
            }
        }

        return released;
    }

    /// <summary>
    /// Whether every thread-pool worker is parked, but those blocked in the mock's own waits, and
    /// nothing is queued: then no code of any run executes on the pool.
    /// </summary>
    public static bool PoolIdle()
    {
        if (ThreadPool.PendingWorkItemCount != 0)
        {
            return false;
        }

        ThreadPool.GetMaxThreads(out int max, out _);
        ThreadPool.GetAvailableThreads(out int available, out _);
        return max - available <= Volatile.Read(ref waitingPoolThreads);
    }

    /// <summary>A pool thread starts (+1) or stops (-1) waiting inside the mock (a driver, a turn).</summary>
    public static void PoolThreadWaits(int delta)
    {
        if (Thread.CurrentThread.IsThreadPoolThread)
        {
            Interlocked.Add(ref waitingPoolThreads, delta);
        }
    }

    private readonly record struct Linger(VirtualTimeDriver Driver, long Since);

    private readonly record struct Claim(VirtualTimeDriver Driver, long Sequence, long Since);

    /// <summary>Listens, in process and synchronously, to the thread pool's enqueue and dequeue events.</summary>
    private sealed class PoolListener : EventListener
    {
        private int enabled;

        /// <summary>Thread-pool events received so far (non-zero once the pool raises them).</summary>
        public int Seen;

        public bool Enabled => Volatile.Read(ref enabled) == 1;

        private EventSource? tasks;

        /// <summary>Turns on the task events (TaskCompleted), once.</summary>
        public void EnableTaskEvents()
        {
            EventSource? source;
            lock (this)
            {
                source = tasks;
                if (source is null || Interlocked.Exchange(ref taskEvents, 1) == 1)
                {
                    return;
                }
            }

            EnableEvents(source, EventLevel.Informational, TaskKeywords);
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == PoolEventSource)
            {
                EnableEvents(eventSource, EventLevel.Verbose, ThreadPoolKeywords);
                Volatile.Write(ref enabled, 1);
            }
            else if (eventSource.Name == TaskEventSource)
            {
                lock (this)
                {
                    tasks = eventSource;
                }
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName == "TaskCompleted")
            {
                if (eventData.Payload is [_, _, int task, ..])
                {
                    OnTaskCompleted(task);
                }

                return;
            }

            if (eventData.Payload is not [long id, ..])
            {
                return;
            }

            if (Seen == 0)
            {
                Volatile.Write(ref Seen, 1);
            }

            switch (eventData.EventName)
            {
                case "ThreadPoolEnqueueWork":
                    OnEnqueued(id);
                    break;
                case "ThreadPoolDequeueWork":
                    OnDequeued(id);
                    break;
            }
        }
    }
}
