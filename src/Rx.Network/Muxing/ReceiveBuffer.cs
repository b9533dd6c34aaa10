using Rx.Network.Encoding;

namespace Rx.Network.Muxing;

/// <summary>
/// The bytes a yamux stream received and its reader has not taken yet: a queue of pooled
/// segments. Its size is bounded by the stream's <see cref="ReceiveWindow"/>, not here.
/// </summary>
/// <remarks>
/// Payload is copied out of the connection's chunks (a chunk may hold frames of several streams,
/// and a pooled buffer has a single owner), into segments rented from the pool and sized to the
/// frame, so a stream with a few bytes pending does not pin a large array. The exception is a
/// chunk whose tail is one large frame's whole payload: the session hands over the chunk itself
/// (<see cref="Adopt"/>), which saves a copy of every byte of bulk transfers. Not thread-safe:
/// the stream guards it with its lock.
/// </remarks>
internal sealed class ReceiveBuffer
{
    /// <summary>The largest segment rented; larger frames span several segments.</summary>
    public const int MaxSegmentSize = 64 * 1024;

    private const int MinSegmentSize = 256;

    // Closed segments, oldest first; the open one being appended to (tail) comes after them.
    private readonly Queue<Segment> segments = new();
    private PooledBuffer tail;
    private int tailLength;

    // Bytes already read from the oldest segment (the tail's, when no closed segment is left).
    private int headOffset;

    /// <summary>Bytes held.</summary>
    public long Length { get; private set; }

    /// <summary>Appends bytes.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="expected">Bytes of the current frame still to come after <paramref name="data"/>, to size the next segment.</param>
    public void Append(ReadOnlySpan<byte> data, long expected = 0)
    {
        while (!data.IsEmpty)
        {
            if (!tail.IsEmpty && tailLength == tail.Array.Length)
            {
                CloseTail();
            }

            if (tail.IsEmpty)
            {
                var size = (int)Math.Clamp(data.Length + expected, MinSegmentSize, MaxSegmentSize);
                tail = PooledBuffer.Rent(size);
                tailLength = 0;
            }

            var room = tail.Array.Length - tailLength;
            var count = Math.Min(room, data.Length);
            data[..count].CopyTo(tail.Array.AsSpan(tailLength));
            tailLength += count;
            Length += count;
            data = data[count..];
        }
    }

    /// <summary>
    /// Takes ownership of <paramref name="chunk"/>, whose bytes from <paramref name="offset"/> to
    /// its end are payload, instead of copying them.
    /// </summary>
    /// <param name="chunk">The chunk; this buffer returns it to the pool once read or cleared.</param>
    /// <param name="offset">Where the payload starts in it.</param>
    public void Adopt(PooledBuffer chunk, int offset)
    {
        CloseTail();
        segments.Enqueue(new Segment(chunk, offset, chunk.Length));
        Length += chunk.Length - offset;
    }

    /// <summary>Moves up to <paramref name="destination"/>'s length of bytes out.</summary>
    /// <returns>The bytes copied.</returns>
    public int Read(Span<byte> destination)
    {
        var copied = 0;
        while (copied < destination.Length)
        {
            Segment head;
            bool fromTail;
            if (segments.TryPeek(out head))
            {
                fromTail = false;
            }
            else if (!tail.IsEmpty && headOffset < tailLength)
            {
                head = new Segment(tail, 0, tailLength);
                fromTail = true;
            }
            else
            {
                break;
            }

            var start = head.Start + headOffset;
            var count = Math.Min(head.End - start, destination.Length - copied);
            head.Buffer.Array.AsSpan(start, count).CopyTo(destination[copied..]);
            copied += count;
            headOffset += count;
            if (start + count == head.End)
            {
                // An idle stream keeps no array: many streams may sit idle at once.
                if (fromTail)
                {
                    tail = default;
                    tailLength = 0;
                }
                else
                {
                    segments.Dequeue();
                }

                head.Buffer.Return();
                headOffset = 0;
            }
        }

        Length -= copied;
        return copied;
    }

    /// <summary>Drops every byte and returns the segments to the pool.</summary>
    /// <returns>The bytes dropped.</returns>
    public long Clear()
    {
        var dropped = Length;
        while (segments.TryDequeue(out var segment))
        {
            segment.Buffer.Return();
        }

        tail.Return();
        tail = default;
        tailLength = 0;
        headOffset = 0;
        Length = 0;
        return dropped;
    }

    /// <summary>Moves the open tail, if any, behind the closed segments, so later bytes start a new segment.</summary>
    private void CloseTail()
    {
        if (!tail.IsEmpty)
        {
            segments.Enqueue(new Segment(tail, 0, tailLength));
            tail = default;
            tailLength = 0;
        }
    }

    /// <summary>Bytes <see cref="Start"/> to <see cref="End"/> of a pooled buffer this queue owns.</summary>
    private readonly record struct Segment(PooledBuffer Buffer, int Start, int End);
}
