using System.Runtime.CompilerServices;

namespace Rx.Network.Reactive;

/// <summary>
/// Waits that resume on the network's <see cref="NetworkScheduler.Tasks"/> (ADR 0011 §2) instead of
/// wherever the awaited task completed: a Dataflow block completes a postponed <c>SendAsync</c> or
/// its own <c>Completion</c> from a task of its own on the thread pool, and a
/// <c>ConfigureAwait(false)</c> continuation would run there.
/// </summary>
/// <remarks>
/// The continuation is a <c>ContinueWith(ExecuteSynchronously)</c> on the scheduler: in production
/// (<see cref="TaskScheduler.Default"/>, the thread pool) it runs inline on the completing thread as
/// the <c>ConfigureAwait(false)</c> it replaces did, no extra hand-off; in virtual time the posting
/// scheduler inlines it only on the driver and otherwise queues it there, in order.
/// </remarks>
internal static class TaskResumption
{
    /// <summary>An awaitable of <paramref name="task"/> whose continuation runs on <paramref name="tasks"/>.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="task">What to wait for.</param>
    /// <param name="tasks">Where to resume: the network's <see cref="NetworkScheduler.Tasks"/>.</param>
    /// <returns>The awaitable.</returns>
    public static ResumeOn<T> ResumingOn<T>(this Task<T> task, TaskScheduler tasks) => new(task, tasks);

    /// <summary>The awaitable (and awaiter) of <see cref="ResumingOn{T}"/>.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="task">What to wait for.</param>
    /// <param name="tasks">Where to resume.</param>
    public readonly struct ResumeOn<T>(Task<T> task, TaskScheduler tasks) : ICriticalNotifyCompletion
    {
        /// <summary>Whether the task has completed (then nothing is scheduled).</summary>
        public bool IsCompleted => task.IsCompleted;

        /// <summary>Gets the awaiter.</summary>
        /// <returns>This.</returns>
        public ResumeOn<T> GetAwaiter() => this;

        /// <summary>The task's result, or its exception.</summary>
        /// <returns>The result.</returns>
        public T GetResult() => task.GetAwaiter().GetResult();

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) =>
            task.ContinueWith(static (_, c) => ((Action)c!)(), continuation, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, tasks);

        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);
    }
}
