using System.Buffers;
using System.IO.Pipelines;
using Rx.Network.Errors;

namespace Rx.Network.Encoding;

/// <summary>
/// Messages framed by an unsigned-varint length, the framing libp2p uses for multistream-select,
/// identify, request/reply and most other protocols.
/// </summary>
/// <remarks>
/// Every read takes a size limit, <see cref="MessageSizeMax"/> (4 MiB) by default. A declared
/// length above the limit throws <see cref="MessageTooLargeException"/> before any buffer for the
/// message is allocated, so a hostile peer cannot make us allocate by lying about a length.
/// </remarks>
public static class LengthPrefixed
{
    /// <summary>
    /// The recommended (soft) upper bound for one length-prefixed message: 4 MiB (<c>1 &lt;&lt; 22</c>).
    /// The seed wrote <c>2 &lt;&lt; 22 // 4MB</c>, which is 8 MiB; go-libp2p later corrected it to
    /// the documented 4 MiB, which we follow.
    /// </summary>
    public const int MessageSizeMax = 1 << 22;

    /// <summary>Returns the size of <paramref name="payloadLength"/> bytes once framed.</summary>
    /// <param name="payloadLength">The payload length.</param>
    /// <returns>The varint length plus the payload length.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="payloadLength"/> is negative.</exception>
    public static int GetFramedLength(int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        return Varint.GetLength((ulong)payloadLength) + payloadLength;
    }

    /// <summary>Frames <paramref name="payload"/> into <paramref name="writer"/> (nothing is flushed).</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="payload">The message.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    public static void Write(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(Varint.MaxLength + payload.Length);
        int offset = Varint.Write(span, (ulong)payload.Length);
        payload.CopyTo(span[offset..]);
        writer.Advance(offset + payload.Length);
    }

    /// <summary>Frames <paramref name="payload"/> into a new array.</summary>
    /// <param name="payload">The message.</param>
    /// <returns>The varint length followed by the payload.</returns>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var result = new byte[GetFramedLength(payload.Length)];
        int offset = Varint.Write(result, (ulong)payload.Length);
        payload.CopyTo(result.AsSpan(offset));
        return result;
    }

    /// <summary>
    /// Tries to take one complete message from the front of <paramref name="buffer"/>, the usual
    /// step of a <see cref="PipeReader"/> loop.
    /// </summary>
    /// <param name="buffer">The bytes received so far; on success, advanced past the message.</param>
    /// <param name="message">The payload, a slice of <paramref name="buffer"/>, on success.</param>
    /// <param name="maxSize">The largest payload accepted.</param>
    /// <returns><see langword="true"/> when a whole message was there; <see langword="false"/> when more bytes are needed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is negative.</exception>
    /// <exception cref="WireProtocolViolationException">The length prefix is malformed.</exception>
    /// <exception cref="MessageTooLargeException">The declared length is above <paramref name="maxSize"/>.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message, int maxSize = MessageSizeMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        message = default;
        var status = Varint.TryRead(buffer, out ulong length, out int prefix);
        if (status == VarintStatus.NeedMoreData)
        {
            return false;
        }

        Varint.ThrowIfNotDone(status);
        if (length > (ulong)maxSize)
        {
            throw Error.TooLarge((long)length, maxSize);
        }

        if (buffer.Length - prefix < (long)length)
        {
            return false;
        }

        message = buffer.Slice(prefix, (long)length);
        buffer = buffer.Slice(message.End);
        return true;
    }

    /// <summary>Reads one message from <paramref name="stream"/>.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="maxSize">The largest payload accepted.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The payload, or <see langword="null"/> when the stream ended cleanly before the message began.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is negative.</exception>
    /// <exception cref="WireProtocolViolationException">The prefix is malformed or the stream ended inside the message.</exception>
    /// <exception cref="MessageTooLargeException">The declared length is above <paramref name="maxSize"/>.</exception>
    public static ValueTask<byte[]?> ReadAsync(Stream stream, int maxSize = MessageSizeMax, CancellationToken cancellationToken = default) =>
        ReadAsync(stream, maxSize, admit: null, cancellationToken);

    /// <summary>Reads one message from <paramref name="stream"/>, letting <paramref name="admit"/> see its declared length before the payload is allocated.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="maxSize">The largest payload accepted.</param>
    /// <param name="admit">Called with the declared length (within <paramref name="maxSize"/>) before allocating; it may throw to refuse (e.g. a memory reservation).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The payload, or <see langword="null"/> when the stream ended cleanly before the message began.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is negative.</exception>
    /// <exception cref="WireProtocolViolationException">The prefix is malformed or the stream ended inside the message.</exception>
    /// <exception cref="MessageTooLargeException">The declared length is above <paramref name="maxSize"/>.</exception>
    public static async ValueTask<byte[]?> ReadAsync(Stream stream, int maxSize, Action<int>? admit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        ulong? length = await Varint.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        if (length is null)
        {
            return null;
        }

        if (length > (ulong)maxSize)
        {
            throw Error.TooLarge((long)length.Value, maxSize);
        }

        admit?.Invoke((int)length.Value);
        var payload = new byte[(int)length.Value];
        try
        {
            await stream.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw Error.Protocol("The stream ended inside a length-prefixed message.", e);
        }

        return payload;
    }

    /// <summary>Writes one message to <paramref name="stream"/> in a single write.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="payload">The message.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the stream accepted the bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public static async ValueTask WriteAsync(Stream stream, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int total = GetFramedLength(payload.Length);
        var rented = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            int offset = Varint.Write(rented, (ulong)payload.Length);
            payload.Span.CopyTo(rented.AsSpan(offset));
            await stream.WriteAsync(rented.AsMemory(0, total), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Reads one message from <paramref name="reader"/>.</summary>
    /// <param name="reader">The pipe.</param>
    /// <param name="maxSize">The largest payload accepted.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A copy of the payload, or <see langword="null"/> when the pipe completed cleanly before the message began.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is negative.</exception>
    /// <exception cref="WireProtocolViolationException">The prefix is malformed or the pipe completed inside the message.</exception>
    /// <exception cref="MessageTooLargeException">The declared length is above <paramref name="maxSize"/>.</exception>
    public static async ValueTask<byte[]?> ReadAsync(PipeReader reader, int maxSize = MessageSizeMax, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool found;
            byte[]? payload = null;
            try
            {
                found = TryRead(ref buffer, out var message, maxSize);
                if (found)
                {
                    payload = message.ToArray();
                }
            }
            catch
            {
                reader.AdvanceTo(buffer.Start);
                throw;
            }

            if (found)
            {
                reader.AdvanceTo(buffer.Start);
                return payload;
            }

            // Measure before advancing: the pipe may recycle the segments afterwards.
            bool empty = buffer.IsEmpty;
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return empty ? null : throw Error.Truncated("length-prefixed message");
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The pipe read was canceled.");
            }
        }
    }

    /// <summary>Writes one message to <paramref name="writer"/> and flushes it.</summary>
    /// <param name="writer">The pipe.</param>
    /// <param name="payload">The message.</param>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when the flush completes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    public static async ValueTask WriteAsync(PipeWriter writer, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Write(writer, payload.Span);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
