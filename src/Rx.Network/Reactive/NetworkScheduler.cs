using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Runtime.CompilerServices;

namespace Rx.Network.Reactive;

/// <summary>
/// Where one network's library code runs when it is not on its caller's stack (ADR 0011): its
/// clock, and the queue that zero-time work is posted to. Every layer gets it from the network
/// that built it, never from an ambient value; <see cref="INetwork.Scheduler"/> exposes it.
/// </summary>
/// <remarks>
/// <para>Production: posted work goes to the thread pool (as the continuations it replaces did),
/// timed work to the network's <see cref="TimeProvider"/>. The mock network in virtual time: posted
/// work goes to its driver's ready queue and timed work to the virtual-time scheduler, so waits
/// that resume through here resume on the driver, in order, at the virtual instant they are due.</para>
/// <para>As an <see cref="IScheduler"/>: <c>Schedule(action)</c> posts (it runs "now", after the
/// work already posted), <c>Schedule(dueTime, action)</c> runs on the clock. Actions get this
/// scheduler back, so recursive scheduling stays on the network.</para>
/// </remarks>
internal sealed class NetworkScheduler : IScheduler
{
    private readonly Action<Action>? post;
    private readonly IScheduler? clock;

    /// <summary>Creates a network's scheduler.</summary>
    /// <param name="time">The network's clock.</param>
    /// <param name="clock">Where timed work runs; timers of <paramref name="time"/> when null.</param>
    /// <param name="post">Where zero-time work runs, in posting order; the thread pool when null.</param>
    /// <param name="runsInline">Whether posted work runs on one thread in order (virtual time), so completion sources need no asynchronous continuations.</param>
    public NetworkScheduler(TimeProvider time, IScheduler? clock = null, Action<Action>? post = null, bool runsInline = false)
    {
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
        this.clock = clock ?? (time as SchedulerTimeProvider)?.Scheduler;
        this.post = post;
        RunsInline = runsInline;
        Tasks = post is null ? TaskScheduler.Default : new PostingTaskScheduler(post);
    }

    /// <summary>
    /// Where the transports' socket pumps go when they leave their caller's stack: the thread pool,
    /// on the system clock. The pumps run below any network (a transport is made before the network
    /// that uses it and speaks to the operating system, whose completions arrive on the pool anyway);
    /// nothing above the transports may use this one.
    /// </summary>
    public static NetworkScheduler Sockets { get; } = new(TimeProvider.System);

    /// <summary>The network's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>
    /// The same queue as a <see cref="TaskScheduler"/>, for Dataflow blocks, <c>ContinueWith</c> and
    /// <c>Task.Factory.StartNew</c>: <see cref="TaskScheduler.Default"/> in production (the thread pool,
    /// as <see cref="Post"/>), the driver's ready queue in virtual time.
    /// </summary>
    public TaskScheduler Tasks { get; }

    /// <summary>Whether posted work runs in order on one thread (the mock's virtual-time driver).</summary>
    public bool RunsInline { get; }

    /// <summary>
    /// Options for a completion source whose continuations must not run inline on the completing
    /// thread in production: none when <see cref="RunsInline"/> (the driver orders everything).
    /// </summary>
    public TaskCreationOptions AsyncContinuations =>
        RunsInline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously;

    /// <inheritdoc/>
    public DateTimeOffset Now => clock?.Now ?? Time.GetUtcNow();

    /// <summary>Runs <paramref name="action"/> off the caller's stack, in posting order relative to other posts.</summary>
    /// <param name="action">The work.</param>
    public void Post(Action action)
    {
        if (post is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static a => a(), action, preferLocal: false);
        }
        else
        {
            post(action);
        }
    }

    /// <summary>
    /// Runs <paramref name="item"/> off the caller's stack without allocating: in production on the
    /// calling thread's local queue of the thread pool (as a resumed <c>await</c> would be, so the
    /// thread that posted usually runs it next), in virtual time through the driver's queue.
    /// </summary>
    /// <param name="item">The work; posted again each time it is to run.</param>
    public void PostLocal(IThreadPoolWorkItem item)
    {
        if (post is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: true);
        }
        else
        {
            post(item.Execute);
        }
    }

    /// <summary>An awaitable that always continues through <see cref="Post"/>.</summary>
    /// <returns>The awaitable.</returns>
    public HopAwaitable Hop() => new(this);

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var work = new SingleAssignmentDisposable();
        Post(() =>
        {
            if (!work.IsDisposed)
            {
                work.Disposable = action(this, state);
            }
        });
        return work;
    }

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (dueTime <= TimeSpan.Zero)
        {
            return Schedule(state, action);
        }

        if (clock is not null)
        {
            return clock.Schedule((Scheduler: this, State: state, Action: action), dueTime, static (_, s) => s.Action(s.Scheduler, s.State));
        }

        var work = new SingleAssignmentDisposable();
        var timer = Time.CreateTimer(
            _ =>
            {
                if (!work.IsDisposed)
                {
                    work.Disposable = action(this, state);
                }
            },
            null,
            dueTime,
            Timeout.InfiniteTimeSpan);
        return StableCompositeDisposable.Create(timer, work);
    }

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) =>
        Schedule(state, dueTime - Now, action);

    /// <summary>The awaitable of <see cref="Hop"/>.</summary>
    /// <param name="scheduler">Where the continuation goes.</param>
    public readonly struct HopAwaitable(NetworkScheduler scheduler)
    {
        /// <summary>Gets the awaiter.</summary>
        /// <returns>The awaiter.</returns>
        public HopAwaiter GetAwaiter() => new(scheduler);
    }

    /// <summary>Never complete: the continuation always goes through <see cref="Post"/>.</summary>
    /// <param name="scheduler">Where the continuation goes.</param>
    public readonly struct HopAwaiter(NetworkScheduler scheduler) : ICriticalNotifyCompletion
    {
        /// <summary>Always false.</summary>
        public bool IsCompleted => false;

        /// <summary>Nothing to return.</summary>
        public void GetResult()
        {
        }

        /// <inheritdoc/>
        public void OnCompleted(Action continuation)
        {
            // The flowing variant: capture the execution context as awaits do.
            var context = ExecutionContext.Capture();
            scheduler.Post(context is null ? continuation : () => ExecutionContext.Run(context, static c => ((Action)c!)(), continuation));
        }

        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation) => scheduler.Post(continuation);
    }
}
