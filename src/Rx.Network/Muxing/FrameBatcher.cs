using Rx.Network.Encoding;

namespace Rx.Network.Muxing;

/// <summary>
/// The frame block's (<see cref="YamuxWriter"/>) making of chunks: takes the next frame from the
/// <see cref="OutboundQueue"/>'s lanes, turns it into bytes (builds a window update, drops data of
/// a stream reset while queued, tells the frame trace), and appends the frames queued right
/// behind it up to <see cref="YamuxWriter.CoalesceLimit"/>; a frame that does not fit is carried
/// to the next chunk. It also counts the frames the peer provoked until they leave. Only the
/// block's current run calls it, except <see cref="CountProvoked"/>.
/// </summary>
internal sealed class FrameBatcher(OutboundQueue outbound, FrameTap frames)
{
    private (PooledBuffer Frame, PendingWrite? Write)? carried;
    private int provokedFrames;

    /// <summary>The writes whose frames are in the chunk last made, to settle once it is sent (or not).</summary>
    public List<PendingWrite> Writes { get; } = [];

    /// <summary>Counts a frame the peer provoked; returns how many wait.</summary>
    public int CountProvoked() => Interlocked.Increment(ref provokedFrames);

    /// <summary>
    /// Makes the next chunk (the frame carried from the last one, or the next queued frame with
    /// those coalesced behind it) into <paramref name="chunk"/>, its writes into <see cref="Writes"/>.
    /// </summary>
    /// <param name="chunk">The chunk, when <see cref="OutboundQueue.Take.Item"/>.</param>
    /// <param name="taken">Called after each take from the queue (a slot freed).</param>
    /// <returns>What the queue said: an item, idle (the caller is no longer the writer) or finished.</returns>
    public OutboundQueue.Take Next(out PooledBuffer chunk, Action taken)
    {
        while (true)
        {
            PooledBuffer first;
            if (carried is { } carry)
            {
                (first, var carriedWrite) = carry;
                carried = null;
                AddTo(Writes, carriedWrite);
            }
            else
            {
                var take = outbound.TakeNext(out var item, out var write);
                taken();
                if (take != OutboundQueue.Take.Item)
                {
                    chunk = default;
                    return take;
                }

                if (!TryPrepare(item, write, out first))
                {
                    continue;
                }

                AddTo(Writes, write);
            }

            chunk = Coalesce(first);
            return OutboundQueue.Take.Item;
        }
    }

    /// <summary>The chunk was sent: its writes succeed.</summary>
    public void Succeed()
    {
        foreach (var write in Writes)
        {
            write.Succeed();
        }

        Writes.Clear();
    }

    /// <summary>The chunk (and a carried frame) will never leave: their writes fail with <paramref name="error"/>, the carried frame is returned.</summary>
    public void Fail(Exception error)
    {
        foreach (var write in Writes)
        {
            write.Fail(error);
        }

        Writes.Clear();
        if (carried is { } left)
        {
            carried = null;
            left.Frame.Return();
            left.Write?.Fail(error);
        }
    }

    /// <summary>Returns and fails what a queue handed back when it was drained.</summary>
    public static void Release((OutboundItem[] Control, PendingWrite[] Data) dropped, Exception error)
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

    /// <summary>
    /// Appends the frames queued right behind <paramref name="first"/> while they fit in
    /// <see cref="YamuxWriter.CoalesceLimit"/>; a frame that does not fit is carried to the next chunk.
    /// </summary>
    private PooledBuffer Coalesce(PooledBuffer first)
    {
        var batch = first;
        var combined = false;
        while (batch.Length < YamuxWriter.CoalesceLimit && outbound.TryDequeue(out var item, out var write))
        {
            if (!TryPrepare(item, write, out var frame))
            {
                continue;
            }

            if (batch.Length + frame.Length > YamuxWriter.CoalesceLimit)
            {
                carried = (frame, write);
                return batch;
            }

            if (!combined)
            {
                var buffer = PooledBuffer.Rent(YamuxWriter.CoalesceLimit);
                batch.Span.CopyTo(buffer.Span);
                var length = batch.Length;
                batch.Return();
                batch = buffer.WithLength(length);
                combined = true;
            }

            frame.Span.CopyTo(batch.Array.AsSpan(batch.Length));
            batch = batch.WithLength(batch.Length + frame.Length);
            frame.Return();
            AddTo(Writes, write);
        }

        return batch;
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
}
