using System.Threading.Tasks.Dataflow;

namespace Rx.Network;

/// <summary>
/// One subscription of <see cref="ConnectionTraceExtensions.TraceFrames"/>: the target linked to a
/// connection's frame trace, a bounded <see cref="ActionBlock{TInput}"/> that calls the observer.
/// </summary>
/// <remarks>
/// Offers are taken with <c>Post</c> (the trace offers without a source): a full queue ends the
/// subscription with <see cref="EventOverflowException"/> instead of holding the connection or
/// dropping frames silently. The terminal call comes after the queued frames, from the block's
/// completion, so the observer's calls never overlap.
/// </remarks>
internal sealed class FrameTraceSink : ITargetBlock<TracedFrame>, IDisposable
{
    private readonly IObserver<TracedFrame> observer;
    private readonly int capacity;
    private readonly ActionBlock<TracedFrame> deliver;
    private IDisposable? link;
    private Exception? ending;
    private int ended;
    private volatile bool stopped;

    public FrameTraceSink(IObserver<TracedFrame> observer, int capacity, TaskScheduler? tasks = null)
    {
        this.observer = observer;
        this.capacity = capacity;
        // The frame in the observer's hands counts in an ActionBlock's bound; "behind" does not include it.
        var options = new ExecutionDataflowBlockOptions { BoundedCapacity = capacity == int.MaxValue ? capacity : capacity + 1 };
        if (tasks is not null)
        {
            // The network's (ADR 0011): the mock's driver in virtual time, the thread pool in production.
            options.TaskScheduler = tasks;
        }

        deliver = new ActionBlock<TracedFrame>(Deliver, options);
        _ = FinishAsync();
    }

    /// <inheritdoc/>
    public Task Completion => deliver.Completion;

    /// <summary>Keeps the link to undo on dispose (or at once, when the subscription already ended).</summary>
    public void Attach(IDisposable frames)
    {
        Volatile.Write(ref link, frames);
        if (stopped || Volatile.Read(ref ended) == 1)
        {
            frames.Dispose();
        }
    }

    /// <inheritdoc/>
    public DataflowMessageStatus OfferMessage(DataflowMessageHeader messageHeader, TracedFrame messageValue, ISourceBlock<TracedFrame>? source, bool consumeToAccept)
    {
        if (stopped || Volatile.Read(ref ended) == 1)
        {
            return DataflowMessageStatus.DecliningPermanently;
        }

        if (deliver.Post(messageValue))
        {
            return DataflowMessageStatus.Accepted;
        }

        End(new EventOverflowException(
            capacity,
            $"The frame trace's observer fell more than {capacity} frames behind; its subscription was ended."));
        return DataflowMessageStatus.DecliningPermanently;
    }

    /// <summary>The trace completed (the session ended cleanly).</summary>
    public void Complete() => End(null);

    /// <summary>The trace faulted (the session ended on <paramref name="exception"/>).</summary>
    public void Fault(Exception exception) => End(exception ?? throw new ArgumentNullException(nameof(exception)));

    /// <summary>Unsubscribes: unlinks from the trace; frames still queued are not delivered.</summary>
    public void Dispose()
    {
        stopped = true;
        Volatile.Read(ref link)?.Dispose();
        deliver.Complete();
    }

    private void End(Exception? reason)
    {
        if (Interlocked.Exchange(ref ended, 1) == 1)
        {
            return;
        }

        ending = reason;
        Volatile.Read(ref link)?.Dispose();
        deliver.Complete();
    }

    private void Deliver(TracedFrame frame)
    {
        if (stopped)
        {
            return;
        }

        try
        {
            observer.OnNext(frame);
        }
        catch (Exception)
        {
            // A throwing observer is a bug of its own; it must not reach the connection's stages.
            Dispose();
        }
    }

    private async Task FinishAsync()
    {
        // The block never faults (Deliver catches): it completes once the queued frames are done.
        await deliver.Completion.ConfigureAwait(false);
        if (stopped)
        {
            return;
        }

        if (ending is { } error)
        {
            observer.OnError(error);
        }
        else
        {
            observer.OnCompleted();
        }
    }
}
