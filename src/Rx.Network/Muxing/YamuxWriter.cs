using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Errors;
using Rx.Network.Transports;

namespace Rx.Network.Muxing;

/// <summary>
/// The session's one writer: takes frames from the <see cref="OutboundQueue"/> (control first,
/// then the small and bulk lanes), coalesces the small ones into chunks of at most
/// <see cref="CoalesceLimit"/>, and sends each chunk to the channel's output, waiting for the
/// transport's room first, so backpressure from the connection reaches stream writers.
/// </summary>
/// <remarks>
/// <para>Contract: anyone may queue (<see cref="TryQueue"/>, <see cref="TryQueueControl"/>,
/// <see cref="SendProvoked"/>); a queue into an idle writer starts it through the network's scheduler
/// (<see cref="Reactive.NetworkScheduler.PostLocal"/>: the thread pool in production), and it
/// runs until the queue is empty. <see cref="Complete"/> (a clean end) lets it flush what is
/// queued and then complete the channel's output; <see cref="Drain"/> (an error) drops what is
/// queued, failing its writers, and sends at most a last GoAway. <see cref="Stopped"/> completes
/// once the writer has finished for good. A failed send ends the session through
/// <see cref="YamuxSession.OnWriterFailed"/>; the writer never throws.</para>
/// <para>It also counts the frames the peer provoked (pongs, refusals) until they leave: more
/// than <see cref="MaxProvokedFrames"/> waiting is a flood.</para>
/// </remarks>
internal sealed class YamuxWriter
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

    private readonly YamuxSession session;
    private readonly IDuplexChannel channel;
    private readonly OutboundQueue outbound = new();
    private readonly FrameTap frames;
    private readonly Reactive.NetworkScheduler scheduler;

    // Set once the writer has finished for good: the queue drained after the session's end, or a send failed.
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Starts the writer through the network's scheduler without allocating (the thread pool in production).
    private readonly WriterStart writerStart;

    // The writer's state between two of its runs; only the current writer touches them.
    private readonly List<PendingWrite> batchWrites = [];
    private (PooledBuffer Frame, PendingWrite? Write)? carried;

    private volatile bool writerWaiting;
    private int provokedFrames;

    // 1 while a writer start is queued on the thread pool and has not begun: whoever takes it
    // (the queued item, or a stream that would otherwise wait for it) runs the writer.
    private int writerPending;

    /// <summary>Creates the writer of <paramref name="session"/> over <paramref name="channel"/>'s output.</summary>
    /// <param name="session">The session whose end a failed send causes.</param>
    /// <param name="channel">The secured connection.</param>
    /// <param name="frames">The session's frame trace, told of every frame taken for sending while a block is linked.</param>
    /// <param name="scheduler">Where the writer starts when a frame is queued into an idle writer: the network's.</param>
    public YamuxWriter(YamuxSession session, IDuplexChannel channel, FrameTap frames, Reactive.NetworkScheduler scheduler)
    {
        this.frames = frames;
        this.scheduler = scheduler;
        this.session = session;
        this.channel = channel;
        writerStart = new WriterStart(this);
    }

    /// <summary>Completes once the writer has finished for good (flushed after a clean end, or failed).</summary>
    public Task Stopped => stopped.Task;

    /// <summary>Whether the writer is waiting for the connection to accept a chunk (for tests and diagnostics).</summary>
    internal bool IsWaiting => writerWaiting;

    /// <summary>Frames waiting for the writer (for tests and diagnostics).</summary>
    internal int QueuedFrameCount => outbound.Count;

    /// <summary>
    /// Queues a stream's data or FIN frame, starting the writer if it is idle; the stream awaits
    /// <see cref="PendingWrite.WaitAsync"/> when it needs to know the frame left.
    /// </summary>
    /// <remarks>
    /// The writer starts on the thread pool even here, where the caller holds no lock: run inline,
    /// it would send a bulk writer's partial last frame before the next write could fill it (see
    /// <see cref="PendingWrite.TryAppend"/>), and measured slower (docs/benchmarks.md).
    /// </remarks>
    /// <returns><see langword="false"/> when the session no longer sends (the caller keeps the frame and fails with <see cref="YamuxSession.CurrentStreamError"/>).</returns>
    public bool TryQueue(PendingWrite write)
    {
        if (!outbound.TryEnqueueData(write, out var startWriter))
        {
            return false;
        }

        StartWriterIf(startWriter);
        return true;
    }

    /// <summary>Queues a control frame, starting the writer if it is idle; <see langword="false"/> once the session no longer sends.</summary>
    public bool TryQueueControl(OutboundItem item)
    {
        if (!outbound.TryEnqueueControl(item, out var startWriter))
        {
            return false;
        }

        StartWriterIf(startWriter);
        return true;
    }

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
        if (Interlocked.Increment(ref provokedFrames) > MaxProvokedFrames)
        {
            throw Error.Protocol($"The remote peer provoked more than {MaxProvokedFrames} replies without reading them.");
        }

        QueueOrDrop(OutboundItem.ForFrame(header, provoked: true));
    }

    /// <summary>A clean end: what is queued is still sent, then the channel's output is completed.</summary>
    public void Complete() => StartWriterIf(outbound.Complete());

    /// <summary>An end on an error: what is queued is dropped (its writers fail with <paramref name="error"/>); only <paramref name="last"/> is still sent.</summary>
    public void Drain(OutboundItem? last, Exception error)
    {
        Release(outbound.Drain(last, out var startWriter), error);
        StartWriterIf(startWriter);
    }

    /// <summary>
    /// Runs a writer start that is queued but has not begun, here and now: called by a stream about
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

    /// <summary>Starts the writer through the network's scheduler when the queue says nobody runs it.</summary>
    private void StartWriterIf(bool startWriter)
    {
        if (startWriter)
        {
            // Local queue, as a resumed await would be: the thread that queued usually runs it next.
            Volatile.Write(ref writerPending, 1);
            scheduler.PostLocal(writerStart);
        }
    }

    /// <summary>
    /// The writer: sends queued frames, coalescing small ones, until the queue is empty (and gives
    /// the role back) or finished (and completes the channel's output). Never throws.
    /// </summary>
    private async Task RunAsync()
    {
        var output = channel.Output;
        Exception? failure = null;
        try
        {
            while (true)
            {
                PooledBuffer batch;
                batchWrites.Clear();
                if (carried is { } carry)
                {
                    (batch, var carriedWrite) = carry;
                    carried = null;
                    AddTo(batchWrites, carriedWrite);
                }
                else
                {
                    switch (outbound.TakeNext(out var item, out var write))
                    {
                        case OutboundQueue.Take.Idle:
                            return;
                        case OutboundQueue.Take.Finished:
                            // Queue completed by the session's end: everything it held has been sent.
                            output.Complete();
                            stopped.TrySetResult();
                            return;
                    }

                    if (!TryPrepare(item, write, out batch))
                    {
                        continue;
                    }

                    AddTo(batchWrites, write);
                }

                (batch, carried) = Coalesce(batch, batchWrites);

                bool sent;
                try
                {
                    // The transport's budget first: with no room, the writer waits for the socket
                    // to drain rather than the connection's buffers growing (IDuplexChannel).
                    var room = channel.HoldOutputAsync(batch.Length);
                    if (!room.IsCompletedSuccessfully)
                    {
                        writerWaiting = true;
                        await room.ConfigureAwait(false);
                        writerWaiting = false;
                    }

                    var sending = output.SendAsync(batch);
                    if (sending.IsCompleted)
                    {
                        sent = sending.Result;
                    }
                    else
                    {
                        writerWaiting = true;
                        sent = await sending.ConfigureAwait(false);
                        writerWaiting = false;
                    }
                }
                catch (Exception e)
                {
                    failure = e;
                    sent = false;
                }

                if (!sent)
                {
                    batch.Return();
                    // The channel's own reason when it was aborted (a forged record, garbage under
                    // the security layer): the reader may not have seen it yet.
                    failure ??= (channel as IChannelFault)?.Fault ?? new IOException("The connection no longer accepts data.");
                    var error = Error.MuxerClosed("The connection failed.", remote: false, null, failure);
                    batchWrites.ForEach(w => w.Fail(error));
                    if (carried is { } left)
                    {
                        carried = null;
                        left.Frame.Return();
                        left.Write?.Fail(error);
                    }

                    break;
                }

                batchWrites.ForEach(w => w.Succeed());
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        // Failed: the writer role is never given back, so nothing runs after this.
        try
        {
            var error = session.OnWriterFailed(failure);
            Release(outbound.Drain(null, out _), error);
        }
        finally
        {
            stopped.TrySetResult();
        }
    }

    /// <summary>
    /// Appends the frames queued right behind <paramref name="first"/> while they fit in
    /// <see cref="CoalesceLimit"/>; a frame that does not fit is carried to the next send.
    /// </summary>
    private (PooledBuffer Batch, (PooledBuffer Frame, PendingWrite? Write)? Carried) Coalesce(PooledBuffer first, List<PendingWrite> writes)
    {
        var batch = first;
        var combined = false;
        while (batch.Length < CoalesceLimit && outbound.TryDequeue(out var item, out var write))
        {
            if (!TryPrepare(item, write, out var frame))
            {
                continue;
            }

            if (batch.Length + frame.Length > CoalesceLimit)
            {
                return (batch, (frame, write));
            }

            if (!combined)
            {
                var buffer = PooledBuffer.Rent(CoalesceLimit);
                batch.Span.CopyTo(buffer.Span);
                var length = batch.Length;
                batch.Return();
                batch = buffer.WithLength(length);
                combined = true;
            }

            frame.Span.CopyTo(batch.Array.AsSpan(batch.Length));
            batch = batch.WithLength(batch.Length + frame.Length);
            frame.Return();
            AddTo(writes, write);
        }

        return (batch, null);
    }

    private static void AddTo(List<PendingWrite> writes, PendingWrite? write)
    {
        if (write is not null)
        {
            writes.Add(write);
        }
    }

    /// <summary>Turns a queued item into the frame to send, or drops it (stream reset, nothing left to say).</summary>
    private bool TryPrepare(in OutboundItem item, PendingWrite? write, out PooledBuffer frame)
    {
        if (!TryPrepareFrame(item, write, out frame))
        {
            return false;
        }

        if (frames.IsActive)
        {
            // The frame is final here (a claimed write no longer grows): its header is what goes out.
            var header = YamuxHeader.ReadFrom(frame.Span);
            frames.Publish(Direction.Outbound, header.Type, header.Flags, header.StreamId, header.Length);
        }

        return true;
    }

    private bool TryPrepareFrame(in OutboundItem item, PendingWrite? write, out PooledBuffer frame)
    {
        frame = default;
        if (write is not null)
        {
            write.Claim();

            // Data of a stream reset while queued must not follow its RST; a FIN (no credit) is harmless.
            if (write.Credit > 0 && write.Stream.IsWriteReset(out var error))
            {
                write.Frame.Return();
                write.Fail(error!);
                return false;
            }

            frame = write.Frame;
            return true;
        }

        if (item.WindowUpdateFor is { } stream)
        {
            if (!stream.TryTakeWindowUpdate(out var header))
            {
                return false;
            }

            frame = PooledBuffer.Rent(YamuxHeader.Size);
            header.WriteTo(frame.Span);
            return true;
        }

        if (item.Provoked)
        {
            Interlocked.Decrement(ref provokedFrames);
        }

        frame = item.Frame;
        return true;
    }

    private static void Release((OutboundItem[] Control, PendingWrite[] Data) dropped, Exception error)
    {
        foreach (var item in dropped.Control)
        {
            item.Frame.Return();
        }

        foreach (var write in dropped.Data)
        {
            // Claimed first: its stream may be appending to it right now.
            write.Claim();
            write.Frame.Return();
            write.Fail(error);
        }
    }

    /// <summary>The work item that starts the writer: one per writer, posted again each time.</summary>
    private sealed class WriterStart(YamuxWriter writer) : IThreadPoolWorkItem
    {
        public void Execute() => writer.Help();
    }
}
