namespace Rx.Network.Reactive;

/// <summary>
/// A <see cref="TaskScheduler"/> over a network's post queue (<see cref="NetworkScheduler.Tasks"/> in
/// virtual time): every queued task runs through the post, in order, on the thread that drains it;
/// a task is never inlined on a thread that is not already running posted work.
/// </summary>
internal sealed class PostingTaskScheduler : TaskScheduler
{
    [ThreadStatic]
    private static PostingTaskScheduler? running;

    private readonly Action<Action> post;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="post">Where tasks go, in queueing order.</param>
    public PostingTaskScheduler(Action<Action> post)
    {
        ArgumentNullException.ThrowIfNull(post);
        this.post = post;
    }

    /// <inheritdoc/>
    public override int MaximumConcurrencyLevel => 1;

    /// <inheritdoc/>
    protected override void QueueTask(Task task) => post(() => Run(task));

    /// <inheritdoc/>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        ReferenceEquals(running, this) && TryExecuteTask(task);

    /// <inheritdoc/>
    protected override IEnumerable<Task>? GetScheduledTasks() => null;

    private void Run(Task task)
    {
        var outer = running;
        running = this;
        try
        {
            TryExecuteTask(task);
        }
        finally
        {
            running = outer;
        }
    }
}
