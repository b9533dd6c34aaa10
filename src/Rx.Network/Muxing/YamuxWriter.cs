using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Errors;
using Rx.Network.Transports;

namespace Rx.Network.Muxing;

/// <summary>
/// The frame stage of a connection's byte path (ADR 0004, ADR 0011 §3): a Dataflow block that
/// takes outbound items (stream frames, control frames), orders them by the
/// <see cref="OutboundQueue"/>'s lanes (control first, then the small and bulk lanes), coalesces
/// small frames into chunks of at most <see cref="CoalesceLimit"/>, and offers each chunk to the
/// one target it is linked to (the secure channel's seal block), waiting for the transport's room
/// first, so backpressure from the connection reaches stream writers.
/// </summary>
/// <remarks>
/// <para>As a target: stream frames are bounded by the capacity given (beyond it an offer from a
/// source is postponed, a <c>SendAsync</c> waits in order, and a <c>Post</c> is declined); control
/// frames are always accepted while the block runs, because declining one would lose a window
/// update or a reply, and the session bounds them (one window update and one reset per stream,
/// one ping, one GoAway, at most <see cref="MaxProvokedFrames"/> replies the peer provoked, a
/// flood beyond which ends the session). <see cref="Complete"/> is the clean end: what is queued
/// is sent, then the linked target completes; <see cref="Drain"/> the session's end on an error:
/// what is queued is dropped (its writers fail with the session's error) and at most a last
/// GoAway is sent; <see cref="Fault"/> drops everything, sends nothing more and faults
/// <see cref="Completion"/> (and the target, when the link propagates completion). Later offers
/// are declined and postponed ones released.</para>
/// <para>Processing is the seal block's pattern: an offer into an idle block starts one run on
/// the network's scheduler (<see cref="Reactive.NetworkScheduler.PostLocal"/>: a thread-pool work item in
/// production, the driver's queue in virtual time; a preallocated item rather than a
/// <see cref="Task"/>, docs/benchmarks.md session 11), which drains the lanes until they are empty
/// and ends; a stream about to wait for its frame runs a start that has not begun itself
/// (<see cref="Help"/>). As a source: a chunk the target postpones stays on offer and the run
/// ends; the target's consume (or its release, to offer again) starts the next run
/// (<see cref="FrameOutput"/>), so no thread or task waits on a full connection.</para>
/// <para>A failed send ends the session through the owner's callback; the block never throws
/// from its run.</para>
/// </remarks>
internal sealed class YamuxWriter : IPropagatorBlock<OutboundItem, PooledBuffer>
{
    /// <summary>
    /// The most frames the peer can make us queue (pongs, refusals of its streams) while it does not
    /// read what we send; beyond it the peer is flooding us and the session ends.
    /// </summary>
    internal const int MaxProvokedFrames = 1024;

    /// <summary>
    /// Frames that are ready together are sent as one chunk up to this size, so a burst of window
    /// updates or small writes costs one send (and one Noise message) instead of one each. Full
    /// data frames go alone.
    /// </summary>
    internal const int CoalesceLimit = 16 * 1024;

    private readonly IDuplexChannel channel;
    private readonly Func<Exception?, Exception> onFailed;
    private readonly OutboundQueue outbound = new();
    private readonly FrameBatcher batcher;
    private readonly Reactive.NetworkScheduler scheduler;
    private readonly FrameOutput output;
    private readonly int capacity;
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Starts the run through the network's scheduler without allocating (the thread pool in production).
    private readonly WriterStart writerStart;

    // AdmitPostponed as a delegate made once (a method group would allocate one per chunk).
    private readonly Action admitPostponed;

    // Postponed offers of stream frames, the block's end, and consumes under way; under the lock.
    private readonly Lock gate = new();
    private Queue<(ISourceBlock<OutboundItem> Source, DataflowMessageHeader Header)>? postponed;
    private int postponedCount;
    private int transferring;
    private bool declining;
    private Exception? fault;

    // The chunk on offer between two runs; only the current run touches them.
    private PooledBuffer onOffer;
    private bool offering;

    // Waiting for the transport's budget (a chunk parked on the target is FrameOutput.IsParked).
    private volatile bool writerWaiting;

    // 1 while a run start is queued and has not begun: whoever takes it (the queued item, or a
    // stream that would otherwise wait for it) runs the writer.
    private int writerPending;

    /// <summary>Creates the frame block of a session over <paramref name="channel"/>; link it to the channel's output.</summary>
    /// <param name="channel">The secured connection: its transport budget (<see cref="IDuplexChannel.HoldOutputAsync"/>) and its fault.</param>
    /// <param name="frames">The session's frame trace, told of every frame taken for sending while a block is linked.</param>
    /// <param name="scheduler">Where a run starts: the network's.</param>
    /// <param name="capacity">The most stream frames queued; further offers are postponed (or declined without a source).</param>
    /// <param name="onFailed">Ends the session on a failed send; returns the error the writes still queued fail with.</param>
    public YamuxWriter(IDuplexChannel channel, FrameTap frames, Reactive.NetworkScheduler scheduler, int capacity, Func<Exception?, Exception> onFailed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.channel = channel;
        batcher = new FrameBatcher(outbound, frames);
        this.scheduler = scheduler;
        this.capacity = capacity;
        this.onFailed = onFailed;
        writerStart = new WriterStart(this);
        admitPostponed = AdmitPostponed;
        output = new FrameOutput(this, StartRun);
    }

    /// <summary>
    /// Completes once the block has finished for good: after <see cref="Complete"/> or
    /// <see cref="Drain"/> once everything left was sent; faulted after <see cref="Fault"/> or a
    /// failed send.
    /// </summary>
    public Task Completion => completion.Task;

    /// <summary>Whether the writer is waiting for the connection to accept a chunk (for tests and diagnostics).</summary>
    internal bool IsWaiting => writerWaiting || output.IsParked;

    /// <summary>Frames waiting for the writer (for tests and diagnostics).</summary>
    internal int QueuedFrameCount => outbound.Count;

    /// <summary>Offers of stream frames postponed by the bound (for tests and diagnostics).</summary>
    internal int PostponedCount => Volatile.Read(ref postponedCount);

    /// <inheritdoc/>
    public DataflowMessageStatus OfferMessage(DataflowMessageHeader messageHeader, OutboundItem messageValue, ISourceBlock<OutboundItem>? source, bool consumeToAccept)
    {
        if (!messageHeader.IsValid)
        {
            throw new ArgumentException("The message header is not valid.", nameof(messageHeader));
        }

        if (source is null && consumeToAccept)
        {
            throw new ArgumentException("Consuming a message needs its source.", nameof(consumeToAccept));
        }

        bool start;
        if (messageValue.Write is null)
        {
            // Control: never postponed (see the remarks).
            if (consumeToAccept)
            {
                messageValue = source!.ConsumeMessage(messageHeader, this, out bool consumed);
                if (!consumed)
                {
                    return DataflowMessageStatus.NotAvailable;
                }

                if (!outbound.TryEnqueueControl(messageValue, out start))
                {
                    messageValue.Frame.Return();
                    return DataflowMessageStatus.Accepted;
                }
            }
            else if (!outbound.TryEnqueueControl(messageValue, out start))
            {
                return DataflowMessageStatus.DecliningPermanently;
            }

            StartWriterIf(start);
            return DataflowMessageStatus.Accepted;
        }

        lock (gate)
        {
            if (declining)
            {
                return DataflowMessageStatus.DecliningPermanently;
            }

            // Full, or earlier offers still waiting (they go first): postpone, or decline a Post.
            if (outbound.DataCount + transferring >= capacity || postponedCount > 0)
            {
                if (source is null)
                {
                    return DataflowMessageStatus.Declined;
                }

                (postponed ??= new()).Enqueue((source, messageHeader));
                postponedCount++;
                return DataflowMessageStatus.Postponed;
            }

            if (!consumeToAccept)
            {
                if (!outbound.TryEnqueueData(messageValue.Write, out start))
                {
                    return DataflowMessageStatus.DecliningPermanently;
                }

                StartWriterIf(start);
                return DataflowMessageStatus.Accepted;
            }

            transferring++;
        }

        return Transfer(source!, messageHeader) ? DataflowMessageStatus.Accepted : DataflowMessageStatus.NotAvailable;
    }

    /// <summary>Queues a stream's data or FIN frame as an offer (a <c>SendAsync</c>): completes true once accepted, false when the block no longer takes frames (the frame is still the caller's).</summary>
    /// <remarks>
    /// The run starts on the network's scheduler even here, where the caller holds no lock: run
    /// inline, it would send a bulk writer's partial last frame before the next write could fill it
    /// (see <see cref="PendingWrite.TryAppend"/>), and measured slower (docs/benchmarks.md).
    /// </remarks>
    public Task<bool> QueueAsync(PendingWrite write) => this.SendAsync(OutboundItem.ForWrite(write));

    /// <summary>Offers a control frame (a <c>Post</c>): <see langword="false"/> once the block no longer takes frames.</summary>
    public bool TryQueueControl(OutboundItem item) =>
        OfferMessage(new DataflowMessageHeader(1), item, null, consumeToAccept: false) == DataflowMessageStatus.Accepted;

    /// <summary>Queues a control frame, or returns its buffer when the session no longer sends.</summary>
    public void QueueOrDrop(OutboundItem item)
    {
        if (!TryQueueControl(item))
        {
            item.Frame.Return();
        }
    }

    /// <summary>Queues a frame the peer asked for (pong, refusal); a peer provoking more than we can send is flooding.</summary>
    /// <exception cref="WireProtocolViolationException">More than <see cref="MaxProvokedFrames"/> such frames wait.</exception>
    public void SendProvoked(in YamuxHeader header)
    {
        if (batcher.CountProvoked() > MaxProvokedFrames)
        {
            throw Error.Protocol($"The remote peer provoked more than {MaxProvokedFrames} replies without reading them.");
        }

        QueueOrDrop(OutboundItem.ForFrame(header, provoked: true));
    }

    /// <summary>A clean end: what is queued is still sent, then the linked target completes; later offers are declined.</summary>
    public void Complete()
    {
        bool start;
        (ISourceBlock<OutboundItem> Source, DataflowMessageHeader Header)[] waiting;
        lock (gate)
        {
            declining = true;
            waiting = TakePostponed();
            start = outbound.Complete();
        }

        Decline(waiting);
        StartWriterIf(start);
    }

    /// <summary>An end on an error: what is queued is dropped (its writers fail with <paramref name="error"/>); only <paramref name="last"/> is still sent, then the linked target completes.</summary>
    public void Drain(OutboundItem? last, Exception error)
    {
        bool start;
        (OutboundItem[] Control, PendingWrite[] Data) dropped;
        (ISourceBlock<OutboundItem> Source, DataflowMessageHeader Header)[] waiting;
        lock (gate)
        {
            declining = true;
            waiting = TakePostponed();
            dropped = outbound.Drain(last, out start);
        }

        Decline(waiting);
        FrameBatcher.Release(dropped, error);
        StartWriterIf(start);
    }

    /// <summary>Aborts: everything queued is dropped (writers fail with a <see cref="MuxerClosedException"/> wrapping <paramref name="exception"/>), nothing more is sent, the session ends, and <see cref="Completion"/> (and a target linked with propagation) faults.</summary>
    /// <param name="exception">Why.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public void Fault(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        lock (gate)
        {
            if (fault is not null)
            {
                return;
            }

            fault = exception;
        }

        Drain(null, exception as MuxerClosedException ?? Error.MuxerClosed("The frame block was faulted.", remote: false, null, exception));

        // A run parked on the target must clean up now rather than when the target gets to it.
        output.Interrupt();
    }

    /// <summary>Links the target chunks go to (the secure channel's seal block); one at a time.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="DataflowLinkOptions.MaxMessages"/> is bounded.</exception>
    /// <exception cref="InvalidOperationException">A target is linked already.</exception>
    public IDisposable LinkTo(ITargetBlock<PooledBuffer> target, DataflowLinkOptions linkOptions) => output.LinkTo(target, linkOptions);

    /// <inheritdoc/>
    public PooledBuffer ConsumeMessage(DataflowMessageHeader messageHeader, ITargetBlock<PooledBuffer> target, out bool messageConsumed) =>
        output.Consume(messageHeader, out messageConsumed);

    /// <inheritdoc/>
    public bool ReserveMessage(DataflowMessageHeader messageHeader, ITargetBlock<PooledBuffer> target) => output.Reserve(messageHeader);

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The message was not reserved.</exception>
    public void ReleaseReservation(DataflowMessageHeader messageHeader, ITargetBlock<PooledBuffer> target) => output.Release(messageHeader);

    /// <summary>
    /// Runs a start that is queued but has not begun, here and now: called by a stream about
    /// to wait for its last frame to leave, which would otherwise suspend until the queued start
    /// ran (usually on this very thread, right after it suspended). The queued item then finds
    /// nothing to do.
    /// </summary>
    public void Help()
    {
        if (Volatile.Read(ref writerPending) == 1 && Interlocked.Exchange(ref writerPending, 0) == 1)
        {
            _ = RunAsync();
        }
    }

    /// <summary>Starts a run when the queue says nobody runs it.</summary>
    private void StartWriterIf(bool startWriter)
    {
        if (startWriter)
        {
            StartRun();
        }
    }

    /// <summary>Starts a run through the network's scheduler (local queue, as a resumed await would be: the thread that queued usually runs it next).</summary>
    private void StartRun()
    {
        Volatile.Write(ref writerPending, 1);
        scheduler.PostLocal(writerStart);
    }

    /// <summary>
    /// The run: offers chunks of queued frames, coalescing small ones, until the queue is empty
    /// (and gives the role back), the target postpones a chunk (the target's consume or release
    /// starts the next run), or the block is finished (and completes the target). Never throws.
    /// </summary>
    private async Task RunAsync()
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                if (Volatile.Read(ref fault) is { } reason)
                {
                    failure = reason;
                    break;
                }

                FrameOutput.Outcome outcome;
                if (offering)
                {
                    outcome = output.Resume();
                    if (outcome == FrameOutput.Outcome.OfferAgain)
                    {
                        outcome = output.Offer(onOffer);
                    }
                }
                else
                {
                    switch (batcher.Next(out onOffer, admitPostponed))
                    {
                        case OutboundQueue.Take.Idle:
                            return;
                        case OutboundQueue.Take.Finished:
                            // Queue completed by the session's end: everything it held has been sent.
                            output.Complete(null);
                            completion.TrySetResult();
                            return;
                    }

                    // The transport's budget first: with no room, the writer waits for the socket
                    // to drain rather than the connection's buffers growing (IDuplexChannel).
                    var room = channel.HoldOutputAsync(onOffer.Length);
                    if (!room.IsCompletedSuccessfully)
                    {
                        writerWaiting = true;
                        await room.ConfigureAwait(false);
                        writerWaiting = false;
                    }

                    offering = true;
                    outcome = output.Offer(onOffer);
                }

                switch (outcome)
                {
                    case FrameOutput.Outcome.Sent:
                        offering = false;
                        onOffer = default;
                        batcher.Succeed();
                        continue;
                    case FrameOutput.Outcome.Waiting:
                        // Parked: the target's consume or release (or a fault) starts the next run,
                        // perhaps already: this run touches nothing after this.
                        return;
                    case FrameOutput.Outcome.Interrupted:
                        continue;
                }

                // Refused, the chunk still ours: the channel's own reason when it was aborted (a forged record, garbage
                // under the security layer): the reader may not have seen it yet.
                offering = false;
                failure = (channel as IChannelFault)?.Fault ?? new IOException("The connection no longer accepts data.");
                break;
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        // Failed or faulted: the role is never given back, so nothing runs after this.
        try
        {
            DropRunState(failure);
            var error = onFailed(failure);
            Drain(null, error);
        }
        finally
        {
            output.Complete(failure);
            completion.TrySetException(failure!);
        }
    }

    /// <summary>Returns or fails what the run holds (the chunk on offer, its writes, a carried frame) after a failure or a fault.</summary>
    private void DropRunState(Exception? failure)
    {
        var error = Error.MuxerClosed("The connection failed.", remote: false, null, failure);
        if (offering)
        {
            offering = false;
            if (!output.Withdraw())
            {
                // The target has it: it was sent.
                onOffer = default;
                batcher.Succeed();
            }
        }

        // Made and never (or no longer) on offer: ours to return.
        if (!onOffer.IsEmpty)
        {
            onOffer.Return();
        }

        onOffer = default;
        batcher.Fail(error);
    }

    /// <summary>Takes postponed offers of stream frames into the queue while there is room, oldest first. For the run.</summary>
    private void AdmitPostponed()
    {
        while (Volatile.Read(ref postponedCount) > 0)
        {
            (ISourceBlock<OutboundItem> Source, DataflowMessageHeader Header) next;
            lock (gate)
            {
                if (postponed is not { Count: > 0 } || declining || outbound.DataCount + transferring >= capacity)
                {
                    return;
                }

                next = postponed.Dequeue();
                postponedCount--;
                transferring++;
            }

            Transfer(next.Source, next.Header);
        }
    }

    /// <summary>Consumes an offer of a stream frame whose slot is counted in <see cref="transferring"/>, and queues it.</summary>
    private bool Transfer(ISourceBlock<OutboundItem> source, DataflowMessageHeader header)
    {
        // Outside the lock: the source may run its own (a postponed SendAsync completes later, on its own task).
        var value = default(OutboundItem);
        bool consumed = false;
        try
        {
            value = source.ConsumeMessage(header, this, out consumed);
        }
        finally
        {
            bool queued = false;
            bool start = false;
            lock (gate)
            {
                transferring--;
                if (consumed && value.Write is { } write)
                {
                    queued = outbound.TryEnqueueData(write, out start);
                }
            }

            if (consumed && !queued && value.Write is { } dropped)
            {
                // Accepted, then the block ended: ours to fail, as if it had been queued.
                dropped.Claim();
                dropped.Frame.Return();
                dropped.Fail(Error.MuxerClosed("The session no longer sends.", remote: false, null));
            }

            StartWriterIf(start);
        }

        return consumed;
    }

    /// <summary>Under the lock: the postponed offers, to decline outside it.</summary>
    private (ISourceBlock<OutboundItem> Source, DataflowMessageHeader Header)[] TakePostponed()
    {
        if (postponed is not { Count: > 0 })
        {
            return [];
        }

        var waiting = postponed.ToArray();
        postponed.Clear();
        postponedCount = 0;
        return waiting;
    }

    /// <summary>Tells postponed sources the block will not take their frames (reserve and release, as Dataflow's blocks do): a waiting <c>SendAsync</c> returns false, the frame still its sender's.</summary>
    private void Decline((ISourceBlock<OutboundItem> Source, DataflowMessageHeader Header)[] waiting)
    {
        foreach (var (source, header) in waiting)
        {
            if (source.ReserveMessage(header, this))
            {
                source.ReleaseReservation(header, this);
            }
        }
    }

    /// <summary>The work item that starts the writer: one per writer, posted again each time.</summary>
    private sealed class WriterStart(YamuxWriter writer) : IThreadPoolWorkItem
    {
        public void Execute() => writer.Help();
    }
}
