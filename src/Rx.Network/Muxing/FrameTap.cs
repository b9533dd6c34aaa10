using System.Threading.Tasks.Dataflow;

namespace Rx.Network.Muxing;

/// <summary>
/// The frame trace of one yamux session, a Dataflow source: the reader publishes each header it
/// decodes, the writer each frame it takes for the secure channel, and the tap offers them to the
/// blocks linked to it. Behind <see cref="IConnection.Frames"/>.
/// </summary>
/// <remarks>
/// <para>Off the byte path by construction: a frame is offered once and never kept (a block that
/// postpones it and later asks to consume it gets nothing), so a linked block that is full,
/// postponing or declining misses that frame and the connection never waits for it; a block that
/// throws from <c>OfferMessage</c> is unlinked. With no block linked
/// <see cref="IsActive"/> is false and the session's stages skip the tap after one field read: no
/// timestamp, no allocation, no hand-off per frame.</para>
/// <para>Frames of one direction are offered in order, from the stage's own thread; the two
/// directions are offered concurrently, so a linked block sees them interleaved as they happened
/// within each direction (their timestamps order them across). A link ends when its disposable is
/// disposed, after <see cref="DataflowLinkOptions.MaxMessages"/> frames, or when the session ends
/// (the tap then completes; with <see cref="DataflowLinkOptions.PropagateCompletion"/> so does the
/// target, faulted when the session ended on an error).</para>
/// </remarks>
internal sealed class FrameTap : ISourceBlock<TracedFrame>, Reactive.IRunsOnNetworkTasks
{
    private readonly TimeProvider time;
    private readonly Lock gate = new();

    // Made on first read of Completion (a trace is rare; every session has a tap): until then the
    // outcome is `completed` and `error`.
    private TaskCompletionSource? completion;
    private Exception? error;

    // Copy on write under the gate; null when nothing is linked (the stages' one check).
    private volatile Link[]? links;
    private long nextMessageId;
    private bool completed;

    /// <summary>Creates the tap of a session whose timestamps come from <paramref name="time"/>.</summary>
    /// <param name="time">The network's clock.</param>
    /// <param name="tasks">The network's task scheduler, for the blocks the library links here (<see cref="Tasks"/>).</param>
    public FrameTap(TimeProvider time, TaskScheduler tasks)
    {
        this.time = time;
        Tasks = tasks;
    }

    /// <summary>
    /// The network's task scheduler (<see cref="Reactive.NetworkScheduler.Tasks"/>): where the blocks
    /// the library links to this tap (<see cref="ConnectionTraceExtensions.TraceFrames"/>) run, so a
    /// trace observer on the mock network runs on its driver, in virtual time.
    /// </summary>
    public TaskScheduler Tasks { get; }

    /// <summary>Whether a block is linked: the stages publish only then.</summary>
    public bool IsActive => links is not null;

    /// <inheritdoc/>
    public Task Completion
    {
        get
        {
            lock (gate)
            {
                if (completion is null)
                {
                    completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (completed)
                    {
                        SetOutcome(completion, error);
                    }
                }

                return completion.Task;
            }
        }
    }

    /// <summary>Offers one frame to every linked block (callers check <see cref="IsActive"/> first).</summary>
    /// <param name="direction">Received or sent.</param>
    /// <param name="type">The frame type.</param>
    /// <param name="flags">The flags.</param>
    /// <param name="streamId">The stream id.</param>
    /// <param name="length">The length field.</param>
    public void Publish(Direction direction, YamuxFrameType type, YamuxFlags flags, uint streamId, uint length)
    {
        var current = links;
        if (current is null)
        {
            return;
        }

        var frame = new TracedFrame(direction, type, flags, streamId, length, time.GetUtcNow());
        foreach (var link in current)
        {
            link.Offer(new DataflowMessageHeader(Interlocked.Increment(ref nextMessageId)), frame);
        }
    }

    /// <inheritdoc/>
    public IDisposable LinkTo(ITargetBlock<TracedFrame> target, DataflowLinkOptions linkOptions)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(linkOptions);
        var link = new Link(this, target, linkOptions);
        lock (gate)
        {
            if (!completed)
            {
                var current = links ?? [];
                links = linkOptions.Append ? [.. current, link] : [link, .. current];
                return link;
            }
        }

        // Linked after the end: nothing will come.
        if (linkOptions.PropagateCompletion)
        {
            Propagate(target);
        }

        return link;
    }

    /// <summary>The session ended: every link ends, propagating the outcome where asked.</summary>
    /// <param name="error">Why the session ended; null for a clean end.</param>
    public void End(Exception? error)
    {
        Link[]? ended;
        TaskCompletionSource? observed;
        lock (gate)
        {
            if (completed)
            {
                return;
            }

            completed = true;
            this.error = error;
            ended = links;
            links = null;
            observed = completion;
        }

        if (observed is not null)
        {
            SetOutcome(observed, error);
        }

        foreach (var link in ended ?? [])
        {
            if (link.PropagatesCompletion)
            {
                Propagate(link.Target);
            }
        }
    }

    /// <summary>Ends the trace as if the session had ended cleanly (links end; the session is not affected).</summary>
    public void Complete() => End(null);

    /// <summary>Ends the trace with <paramref name="exception"/> (links end; the session is not affected).</summary>
    /// <param name="exception">The fault to propagate.</param>
    void IDataflowBlock.Fault(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        End(exception);
    }

    /// <summary>Nothing is ever postponed (frames are offered without a source), so nothing can be consumed later.</summary>
    TracedFrame ISourceBlock<TracedFrame>.ConsumeMessage(DataflowMessageHeader messageHeader, ITargetBlock<TracedFrame> target, out bool messageConsumed)
    {
        messageConsumed = false;
        return default;
    }

    /// <summary>Nothing is ever postponed, so nothing can be reserved.</summary>
    bool ISourceBlock<TracedFrame>.ReserveMessage(DataflowMessageHeader messageHeader, ITargetBlock<TracedFrame> target) => false;

    /// <summary>Nothing is ever reserved.</summary>
    void ISourceBlock<TracedFrame>.ReleaseReservation(DataflowMessageHeader messageHeader, ITargetBlock<TracedFrame> target) =>
        throw new InvalidOperationException("The frame trace offers frames without reservations.");

    private void Propagate(ITargetBlock<TracedFrame> target)
    {
        if (Volatile.Read(ref error) is { } fault)
        {
            target.Fault(fault);
        }
        else
        {
            target.Complete();
        }
    }

    private static void SetOutcome(TaskCompletionSource completion, Exception? error)
    {
        if (error is null)
        {
            completion.TrySetResult();
        }
        else
        {
            completion.TrySetException(error);
        }
    }

    private void Unlink(Link link)
    {
        lock (gate)
        {
            if (links is not { } current || Array.IndexOf(current, link) < 0)
            {
                return;
            }

            links = current.Length == 1 ? null : [.. current.Where(l => l != link)];
        }
    }

    /// <summary>One linked block: offers frames to it until unlinked or its message budget is spent.</summary>
    private sealed class Link(FrameTap tap, ITargetBlock<TracedFrame> target, DataflowLinkOptions options) : IDisposable
    {
        private readonly bool bounded = options.MaxMessages != DataflowBlockOptions.Unbounded;
        private long remaining = options.MaxMessages;

        public ITargetBlock<TracedFrame> Target => target;

        public bool PropagatesCompletion => options.PropagateCompletion;

        public void Offer(DataflowMessageHeader header, TracedFrame frame)
        {
            // A bounded link takes its place before offering, so concurrent offers from the two
            // directions never give the block more than MaxMessages frames.
            if (bounded && Interlocked.Decrement(ref remaining) < 0)
            {
                return;
            }

            DataflowMessageStatus status;
            try
            {
                // The tap as the source, as Dataflow's own links offer (filtered links need one);
                // a block that postpones and later asks to consume gets nothing (ConsumeMessage).
                status = target.OfferMessage(header, frame, tap, consumeToAccept: false);
            }
            catch (Exception)
            {
                // A block of the user's that throws is unlinked; the stage that published never sees it.
                Dispose();
                return;
            }

            if (status == DataflowMessageStatus.DecliningPermanently)
            {
                // The block is done (completed or faulted): it will never take another frame.
                Dispose();
            }
            else if (bounded && status != DataflowMessageStatus.Accepted)
            {
                // MaxMessages counts what the block took, as Dataflow's own links do.
                Interlocked.Increment(ref remaining);
            }
            else if (bounded && Volatile.Read(ref remaining) == 0)
            {
                Dispose();
            }
        }

        public void Dispose() => tap.Unlink(this);
    }
}
