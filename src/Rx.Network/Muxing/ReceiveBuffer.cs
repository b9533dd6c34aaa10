using Rx.Network.Encoding;

namespace Rx.Network.Muxing;

/// <summary>
/// The bytes a yamux stream received and its reader has not taken yet: a queue of pooled
/// segments. Its size is bounded by the stream's <see cref="ReceiveWindow"/>, not here.
/// </summary>
/// <remarks>
/// Payload is copied out of the connection's chunks (a chunk may hold frames of several streams,
/// and a pooled buffer has a single owner), into segments rented from the pool and sized to the
/// frame, so a stream with a few bytes pending does not pin a large array. Not thread-safe: the
/// stream guards it with its lock.
/// </remarks>
internal sealed class ReceiveBuffer
{
    /// <summary>The largest segment rented; larger frames span several segments.</summary>
    public const int MaxSegmentSize = 64 * 1024;

    private const int MinSegmentSize = 256;

    private readonly Queue<PooledBuffer> segments = new();
    private PooledBuffer tail;
    private int tailLength;
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
            if (tail.IsEmpty || tailLength == tail.Array.Length)
            {
                var size = (int)Math.Clamp(data.Length + expected, MinSegmentSize, MaxSegmentSize);
                tail = PooledBuffer.Rent(size);
                tailLength = 0;
                segments.Enqueue(tail);
            }

            var room = tail.Array.Length - tailLength;
            var count = Math.Min(room, data.Length);
            data[..count].CopyTo(tail.Array.AsSpan(tailLength));
            tailLength += count;
            Length += count;
            data = data[count..];
        }
    }

    /// <summary>Moves up to <paramref name="destination"/>'s length of bytes out.</summary>
    /// <returns>The bytes copied.</returns>
    public int Read(Span<byte> destination)
    {
        var copied = 0;
        while (copied < destination.Length && segments.TryPeek(out var head))
        {
            var end = ReferenceEquals(head.Array, tail.Array) ? tailLength : head.Array.Length;
            var count = Math.Min(end - headOffset, destination.Length - copied);
            head.Array.AsSpan(headOffset, count).CopyTo(destination[copied..]);
            copied += count;
            headOffset += count;
            if (headOffset == end)
            {
                // An idle stream keeps no array: many streams may sit idle at once.
                if (ReferenceEquals(head.Array, tail.Array))
                {
                    tail = default;
                    tailLength = 0;
                }

                segments.Dequeue().Return();
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
            segment.Return();
        }

        tail = default;
        tailLength = 0;
        headOffset = 0;
        Length = 0;
        return dropped;
    }
}
