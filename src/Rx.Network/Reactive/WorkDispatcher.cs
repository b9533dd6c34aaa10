using System.Runtime.CompilerServices;

namespace Rx.Network.Reactive;

/// <summary>
/// Where the library's background hops run: the thread pool, unless the thread doing the work has
/// an ambient dispatcher — the mock network's virtual-time driver installs one while it runs, so
/// every hop becomes an ordered work item of its own instead of a thread-pool race.
/// </summary>
/// <remarks>
/// Services hop off their caller's stack in a few places (a user's handler must not run on the
/// thread that delivered the request; an identify exchange must not run inside the event pump).
/// <c>await Task.Yield()</c> and continuations of <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>
/// sources go to the thread pool, which a deterministic simulation cannot order. These helpers do
/// the same by default and defer to <see cref="Current"/> when one is installed.
/// </remarks>
internal abstract class WorkDispatcher
{
    [ThreadStatic]
    private static WorkDispatcher? current;

    /// <summary>The dispatcher installed on this thread, or null (the thread pool).</summary>
    public static WorkDispatcher? Current => current;

    /// <summary>
    /// Options for a completion source whose continuations must not run inline in production: none
    /// under a dispatcher, whose thread runs everything in order anyway.
    /// </summary>
    public static TaskCreationOptions AsyncContinuations =>
        current is null ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None;

    /// <summary>Runs <paramref name="action"/> later, in posting order relative to other posts.</summary>
    public abstract void Post(Action action);

    /// <summary>Makes this dispatcher current on this thread until the scope is disposed.</summary>
    public Scope Enter()
    {
        var previous = current;
        current = this;
        return new Scope(previous);
    }

    /// <summary>An awaitable that continues on the current dispatcher, or on the thread pool.</summary>
    public static HopAwaitable Hop() => default;

    /// <summary>Runs <paramref name="action"/> off the caller's stack: on the current dispatcher, or the thread pool.</summary>
    public static void Run(Action action)
    {
        if (current is { } dispatcher)
        {
            dispatcher.Post(action);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static a => a(), action, preferLocal: false);
        }
    }

    /// <summary>Restores the previous dispatcher.</summary>
    public readonly struct Scope(WorkDispatcher? previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => current = previous;
    }

    /// <summary>The awaitable of <see cref="Hop"/>.</summary>
    public readonly struct HopAwaitable
    {
        /// <summary>Gets the awaiter.</summary>
        public HopAwaiter GetAwaiter() => default;
    }

    /// <summary>Never complete: the continuation always goes to the dispatcher or the pool.</summary>
    public readonly struct HopAwaiter : ICriticalNotifyCompletion
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
            if (current is { } dispatcher)
            {
                dispatcher.Post(continuation);
            }
            else
            {
                ThreadPool.QueueUserWorkItem(static a => a(), continuation, preferLocal: false);
            }
        }

        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation) => Run(continuation);
    }
}
