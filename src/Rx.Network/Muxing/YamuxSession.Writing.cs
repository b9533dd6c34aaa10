using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Errors;
using Rx.Network.Transports;

namespace Rx.Network.Muxing;

internal sealed partial class YamuxSession
{
    /// <summary>
    /// Queues a stream's data or FIN frame, starting the writer if it is idle; the stream awaits
    /// <see cref="PendingWrite.WaitAsync"/> when it needs to know the frame left.
    /// </summary>
    /// <remarks>
    /// The writer starts on the thread pool even here, where the caller holds no lock: run inline,
    /// it would send a bulk writer's partial last frame before the next write could fill it (see
    /// <see cref="PendingWrite.TryAppend"/>), and measured slower (docs/benchmarks.md).
    /// </remarks>
    /// <returns><see langword="false"/> when the session no longer sends (the caller keeps the frame and fails with <see cref="CurrentStreamError"/>).</returns>
    internal bool TryQueue(PendingWrite write)
    {
        if (!outbound.TryEnqueueData(write, out var startWriter))
        {
            return false;
        }

        StartWriterIf(startWriter);
        return true;
    }

    /// <summary>Queues a stream's coalesced window update (built when the writer reaches it).</summary>
    internal void QueueWindowUpdate(YamuxStream stream) => TryQueueControl(OutboundItem.ForWindowUpdate(stream));

    /// <summary>Tells the peer we reset a stream.</summary>
    internal void SendReset(YamuxStream stream, uint code)
    {
        var item = OutboundItem.ForFrame(YamuxHeader.WindowUpdate(stream.Id, code, YamuxFlags.Rst));
        if (!TryQueueControl(item))
        {
            item.Frame.Return();
        }
    }

    /// <summary>
    /// Frames that are ready together are sent as one chunk up to this size, so a burst of window
    /// updates or small writes costs one send (and one Noise message) instead of one each. Full
    /// data frames go alone.
    /// </summary>
    internal const int CoalesceLimit = 16 * 1024;

    private volatile bool writerWaiting;

    // Starts the writer on the thread pool without allocating.
    private readonly WriterStart writerStart;

    // The writer's state between two of its runs; only the current writer touches them.
    private readonly List<PendingWrite> batchWrites = [];
    private (PooledBuffer Frame, PendingWrite? Write)? carried;

    /// <summary>Whether the writer is waiting for the connection to accept a chunk (for tests and diagnostics).</summary>
    internal bool IsWriterWaiting => writerWaiting;

    /// <summary>Queues a control frame, starting the writer if it is idle.</summary>
    private bool TryQueueControl(OutboundItem item)
    {
        if (!outbound.TryEnqueueControl(item, out var startWriter))
        {
            return false;
        }

        StartWriterIf(startWriter);
        return true;
    }

    /// <summary>Starts the writer on the thread pool when the queue says nobody runs it.</summary>
    private void StartWriterIf(bool startWriter)
    {
        if (startWriter)
        {
            // Local queue, as a resumed await would be: the thread that queued usually runs it next.
            Volatile.Write(ref writerPending, 1);
            ThreadPool.UnsafeQueueUserWorkItem(writerStart, preferLocal: true);
        }
    }

    /// <summary>
    /// The writer: sends queued frames, coalescing small ones, until the queue is empty (and gives
    /// the role back) or finished (and completes the channel's output). Never throws.
    /// </summary>
    private async Task RunWriterAsync()
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
                            writerStopped.TrySetResult();
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
            Terminate(failure, Error.MuxerClosed("The connection failed.", remote: false, null, failure), goAway: null);
            Release(outbound.Drain(null, out _), CurrentStreamError());
        }
        finally
        {
            writerStopped.TrySetResult();
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

    // 1 while a writer start is queued on the thread pool and has not begun: whoever takes it
    // (the queued item, or a stream that would otherwise wait for it) runs the writer.
    private int writerPending;

    /// <summary>
    /// Runs a writer start that is queued but has not begun, here and now: called by a stream about
    /// to wait for its last frame to leave, which would otherwise suspend until the queued start
    /// ran (usually on this very thread, right after it suspended). The queued item then finds
    /// nothing to do.
    /// </summary>
    internal void HelpWriter()
    {
        if (Volatile.Read(ref writerPending) == 1 && Interlocked.Exchange(ref writerPending, 0) == 1)
        {
            _ = RunWriterAsync();
        }
    }

    /// <summary>The thread-pool item that starts the writer: one per session, queued again each time.</summary>
    private sealed class WriterStart(YamuxSession session) : IThreadPoolWorkItem
    {
        public void Execute() => session.HelpWriter();
    }
}
