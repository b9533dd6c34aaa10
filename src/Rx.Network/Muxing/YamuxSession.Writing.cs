using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Errors;

namespace Rx.Network.Muxing;

internal sealed partial class YamuxSession
{
    /// <summary>
    /// Queues a stream's data or FIN frame and waits until the writer handed it to the
    /// connection. On cancellation the caller decides, with <see cref="PendingWrite.TryCancel"/>,
    /// whether the frame still leaves.
    /// </summary>
    /// <remarks>
    /// Not an async method, and without a cancellable token nothing is allocated: the caller awaits
    /// the frame's own reusable completion. Only a wait that can be cancelled pays for a task.
    /// </remarks>
    internal ValueTask SendAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        if (!outbound.TryEnqueueData(write))
        {
            write.Frame.Return();
            return ValueTask.FromException(CurrentStreamError());
        }

        return cancellationToken.CanBeCanceled
            ? new ValueTask(write.AsTask().WaitAsync(cancellationToken))
            : write.Completion;
    }

    /// <summary>Queues a stream's coalesced window update (built when the writer reaches it).</summary>
    internal void QueueWindowUpdate(YamuxStream stream) => outbound.TryEnqueueControl(OutboundItem.ForWindowUpdate(stream));

    /// <summary>Tells the peer we reset a stream.</summary>
    internal void SendReset(YamuxStream stream, uint code)
    {
        var item = OutboundItem.ForFrame(YamuxHeader.WindowUpdate(stream.Id, code, YamuxFlags.Rst));
        if (!outbound.TryEnqueueControl(item))
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

    /// <summary>Whether the writer is waiting for the connection to accept a chunk (for tests and diagnostics).</summary>
    internal bool IsWriterWaiting => writerWaiting;

    private async Task RunWriteLoopAsync()
    {
        var output = channel.Output;
        var batchWrites = new List<PendingWrite>();
        (PooledBuffer Frame, PendingWrite? Write)? carried = null;
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
                    if (!outbound.TryDequeue(out var item, out var write))
                    {
                        if (!await outbound.WaitAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        continue;
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
                    var sending = output.SendAsync(batch);
                    writerWaiting = !sending.IsCompleted;
                    sent = await sending.ConfigureAwait(false);
                    writerWaiting = false;
                }
                catch (Exception e)
                {
                    failure = e;
                    sent = false;
                }

                if (!sent)
                {
                    batch.Return();
                    failure ??= new IOException("The connection no longer accepts data.");
                    var error = Error.MuxerClosed("The connection failed.", remote: false, null, failure);
                    batchWrites.ForEach(w => w.Fail(error));
                    if (carried is { } left)
                    {
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

        if (failure is null)
        {
            // Queue completed by the session's end: everything it held has been sent.
            output.Complete();
            return;
        }

        Terminate(failure, Error.MuxerClosed("The connection failed.", remote: false, null, failure), goAway: null);
        Release(outbound.Drain(), CurrentStreamError());
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

    /// <summary>Turns a queued item into the frame to send, or drops it (withdrawn, reset, nothing left to say).</summary>
    private bool TryPrepare(in OutboundItem item, PendingWrite? write, out PooledBuffer frame)
    {
        frame = default;
        if (write is not null)
        {
            if (!write.TryClaim())
            {
                write.Frame.Return();
                return false;
            }

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
            write.Frame.Return();
            if (write.TryClaim())
            {
                write.Fail(error);
            }
        }
    }
}
