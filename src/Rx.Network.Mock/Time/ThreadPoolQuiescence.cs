namespace Rx.Network.Mock.Time;

/// <summary>
/// Detects that the process has gone quiet: no work item queued on the thread pool and no pool
/// thread running one, apart from threads blocked for good.
/// </summary>
/// <remarks>
/// <para>Why the thread pool: the mock network's byte path and the library above it run as
/// continuations on the pool (pipes, Dataflow blocks, <c>ConfigureAwait(false)</c> awaits, event
/// pumps). Work reaches the pool in one of two ways, and both are visible: a queued item counts in
/// <see cref="ThreadPool.PendingWorkItemCount"/>, and a thread released to run it counts as busy
/// (<see cref="ThreadPool.GetAvailableThreads"/> falls) from the moment it is requested until it has
/// found the queues empty. So "nothing queued, nobody busy" means every cascade started by the last
/// step of virtual time has ended: each task is parked on a pipe, a virtual timer, or a signal.</para>
/// <para>The watcher is one dedicated thread, not a pool thread: polling from the pool would itself
/// keep a thread busy and one more requested, blurring the very counts it reads. It runs only
/// while someone waits, and parks on an event otherwise.</para>
/// <para>Blocked threads: a host may park pool threads for good (the VSTest test host blocks two in
/// its message loop). They count as busy forever, so busy is compared with a baseline: the number
/// of such threads. The baseline is learned: it drops to the lowest busy count seen with nothing
/// queued, and rises only after a long stretch (<see cref="StuckPolls"/> polls and
/// <see cref="StuckTime"/>) in which nothing is ever queued and the busy count never drops below
/// some level — the signature of blocked threads (progressing work queues continuations), give or
/// take a host timer that briefly adds one.</para>
/// <para>Limits: work running outside the pool (a thread of its own, a test framework's
/// synchronization context) is invisible; a single work item that runs longer than the stuck
/// stretch with nothing else completing would be mistaken for a blocked thread; other code sharing
/// the pool (tests running in parallel) makes waits longer.</para>
/// </remarks>
internal static class ThreadPoolQuiescence
{
    /// <summary>Consecutive idle observations needed, so that no hand-over between two items is mistaken for idleness.</summary>
    private const int RequiredIdleObservations = 3;

    /// <summary>Polls of an unchanging, unprogressing pool before its busy threads count as blocked.</summary>
    private const int StuckPolls = 200;

    /// <summary>Real time of an unchanging, unprogressing pool before its busy threads count as blocked.</summary>
    private static readonly TimeSpan StuckTime = TimeSpan.FromMilliseconds(250);

    private static readonly object Gate = new();
    private static readonly List<Waiter> Waiters = [];
    private static readonly AutoResetEvent WaitersArrived = new(false);
    private static Thread? watcher;
    private static int blockedBaseline;

    /// <summary>Pool threads believed blocked for good (not counting toward "busy").</summary>
    public static int BlockedBaseline => Volatile.Read(ref blockedBaseline);

    /// <summary>Busy pool threads right now (including blocked ones).</summary>
    public static int BusyThreads()
    {
        ThreadPool.GetMaxThreads(out int maxWorkers, out _);
        ThreadPool.GetAvailableThreads(out int availableWorkers, out _);
        return maxWorkers - availableWorkers;
    }

    /// <summary>Waits until the pool is idle; ends as soon as the work does (the watcher polls, it never sleeps).</summary>
    /// <param name="wallClock">The real clock for <paramref name="timeout"/> and the stuck stretch.</param>
    /// <param name="timeout">How long, in real time, the pool may stay busy before the wait fails.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="TimeoutException">The pool did not go idle within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task WaitAsync(TimeProvider wallClock, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var waiter = new Waiter(wallClock, timeout);
        lock (Gate)
        {
            Waiters.Add(waiter);
            if (watcher is null)
            {
                watcher = new Thread(Watch) { IsBackground = true, Name = "Rx.Network.Mock idle watcher" };
                watcher.Start();
            }
        }

        WaitersArrived.Set();
        using (cancellationToken.Register(static w => ((Waiter)w!).Done.TrySetCanceled(), waiter))
        {
            try
            {
                await waiter.Done.Task.ConfigureAwait(false);
            }
            finally
            {
                lock (Gate)
                {
                    Waiters.Remove(waiter);
                }
            }
        }
    }

    private static void Watch()
    {
        while (true)
        {
            Waiter[] waiting;
            lock (Gate)
            {
                waiting = [.. Waiters];
            }

            if (waiting.Length == 0)
            {
                WaitersArrived.WaitOne();
                continue;
            }

            var outcome = Observe();
            foreach (var waiter in waiting)
            {
                if (outcome == Outcome.Idle)
                {
                    waiter.Done.TrySetResult();
                }
                else if (waiter.TimedOut())
                {
                    waiter.Done.TrySetException(new TimeoutException(
                        $"The thread pool did not go idle within {waiter.Timeout.TotalSeconds:0.###} s of real time: something is busy outside virtual time ({BusyThreads()} busy threads of which {BlockedBaseline} deemed blocked, {ThreadPool.PendingWorkItemCount} queued items)."));
                }
            }
        }
    }

    /// <summary>Polls until the pool is idle, or a waiter's time is up.</summary>
    private static Outcome Observe()
    {
        var clock = TimeProvider.System;
        int idle = 0;
        int stretchPolls = 0;
        int stretchMinimum = int.MaxValue;
        long stretchSince = 0;
        var spinner = default(SpinWait);
        while (true)
        {
            bool nothingQueued = ThreadPool.PendingWorkItemCount == 0;
            int busy = BusyThreads();
            if (nothingQueued && busy < Volatile.Read(ref blockedBaseline))
            {
                Volatile.Write(ref blockedBaseline, busy);
            }

            if (nothingQueued && busy <= Volatile.Read(ref blockedBaseline))
            {
                if (++idle >= RequiredIdleObservations)
                {
                    return Outcome.Idle;
                }
            }
            else
            {
                idle = 0;

                // A stretch with nothing ever queued whose busy count never drops below some
                // level: that many threads are blocked (a host's periodic timer may briefly add one).
                if (!nothingQueued)
                {
                    stretchPolls = 0;
                    stretchMinimum = int.MaxValue;
                }
                else if (stretchPolls++ == 0)
                {
                    stretchSince = clock.GetTimestamp();
                    stretchMinimum = busy;
                }
                else
                {
                    stretchMinimum = Math.Min(stretchMinimum, busy);
                    if (stretchPolls >= StuckPolls && clock.GetElapsedTime(stretchSince) >= StuckTime)
                    {
                        Volatile.Write(ref blockedBaseline, stretchMinimum);
                        stretchPolls = 0;
                    }
                }
            }

            if (spinner.Count % 256 == 255 && AnyTimedOut())
            {
                return Outcome.TimedOut;
            }

            // Give the pool's threads the processor; never sleep: the wait ends as soon as the work does.
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private static bool AnyTimedOut()
    {
        lock (Gate)
        {
            return Waiters.Exists(w => w.TimedOut() || w.Done.Task.IsCompleted);
        }
    }

    private enum Outcome
    {
        Idle,
        TimedOut,
    }

    private sealed class Waiter(TimeProvider wallClock, TimeSpan timeout)
    {
        private readonly long started = wallClock.GetTimestamp();

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TimeSpan Timeout => timeout;

        public bool TimedOut() => timeout != System.Threading.Timeout.InfiniteTimeSpan && wallClock.GetElapsedTime(started) > timeout;
    }
}
