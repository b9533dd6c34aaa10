using System.Buffers;
using Rx.Network.Encoding;

namespace Rx.Network.Examples.Chat;

/// <summary>
/// Cuts bytes that arrive in arbitrary chunks (as <see cref="IStream.Incoming"/> delivers them)
/// into <see cref="LengthPrefixed"/> messages.
/// </summary>
/// <remarks>
/// A stream has no message boundaries: one chunk may hold several messages, or a message may
/// span several chunks. The framer keeps the incomplete tail between calls. It holds at most one
/// incomplete message (bounded by the size limit) plus the chunk being cut, because an oversized
/// length prefix is refused before its payload is buffered. Not thread-safe: feed it from one
/// sequence at a time.
/// </remarks>
public sealed class MessageFramer
{
    private readonly int maxSize;
    private byte[] pending = [];
    private int pendingCount;

    /// <summary>Creates a framer accepting messages of at most <paramref name="maxSize"/> bytes.</summary>
    /// <param name="maxSize">The largest payload accepted.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is negative or above <see cref="LengthPrefixed.MessageSizeMax"/>.</exception>
    public MessageFramer(int maxSize = LengthPrefixed.MessageSizeMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSize, LengthPrefixed.MessageSizeMax);
        this.maxSize = maxSize;
    }

    /// <summary>Whether bytes of an incomplete message are waiting for the next chunk.</summary>
    public bool HasPartialMessage => pendingCount > 0;

    /// <summary>Adds <paramref name="chunk"/> and returns every message it completes, in order.</summary>
    /// <param name="chunk">The next bytes of the stream; not kept after the call returns.</param>
    /// <returns>The payloads completed by this chunk (often none or one).</returns>
    /// <exception cref="WireProtocolViolationException">A length prefix is malformed.</exception>
    /// <exception cref="MessageTooLargeException">A declared length is above the limit.</exception>
    public IReadOnlyList<byte[]> Push(ReadOnlyMemory<byte> chunk)
    {
        if (pendingCount == 0)
        {
            // The common case, a chunk starting on a message boundary, is cut without copying it.
            return Cut(chunk);
        }

        Append(chunk.Span);
        return Cut(pending.AsMemory(0, pendingCount));
    }

    private List<byte[]> Cut(ReadOnlyMemory<byte> bytes)
    {
        var messages = new List<byte[]>();
        var rest = new ReadOnlySequence<byte>(bytes);
        while (LengthPrefixed.TryRead(ref rest, out var message, maxSize))
        {
            messages.Add(message.ToArray());
        }

        Keep(bytes.Span[(bytes.Length - (int)rest.Length)..]);
        return messages;
    }

    private void Append(ReadOnlySpan<byte> chunk)
    {
        if (pending.Length - pendingCount < chunk.Length)
        {
            Array.Resize(ref pending, Math.Max(pendingCount + chunk.Length, pending.Length * 2));
        }

        chunk.CopyTo(pending.AsSpan(pendingCount));
        pendingCount += chunk.Length;
    }

    private void Keep(ReadOnlySpan<byte> tail)
    {
        // The tail may lie inside pending; Span.CopyTo handles the overlap like memmove.
        if (pending.Length < tail.Length)
        {
            var grown = new byte[tail.Length];
            tail.CopyTo(grown);
            pending = grown;
        }
        else
        {
            tail.CopyTo(pending);
        }

        pendingCount = tail.Length;
    }
}
