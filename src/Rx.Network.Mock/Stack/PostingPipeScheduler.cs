using System.IO.Pipelines;
using Rx.Network.Reactive;

namespace Rx.Network.Mock.Stack;

/// <summary>
/// A <see cref="PipeScheduler"/> over the mock network's post queue: a pipe reader woken by a link
/// delivery resumes on the network's scheduler (the virtual-time driver, in order, at the virtual
/// instant the bytes arrived; the thread pool in real time), never on a thread of its own.
/// </summary>
internal sealed class PostingPipeScheduler(NetworkScheduler scheduler) : PipeScheduler
{
    /// <inheritdoc/>
    public override void Schedule(Action<object?> action, object? state)
    {
        ArgumentNullException.ThrowIfNull(action);
        scheduler.Post(() => action(state));
    }
}
