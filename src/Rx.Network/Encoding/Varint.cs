using System.Buffers;
using Rx.Network.Errors;

namespace Rx.Network.Encoding;

/// <summary>
/// Unsigned varints under the multiformats rules
/// (<see href="https://github.com/multiformats/unsigned-varint">unsigned-varint</see>): seven bits
/// a byte, least significant group first, at most 9 bytes (so at most 63 bits), and minimally
/// encoded (no redundant trailing zero groups).
/// </summary>
/// <remarks>
/// The <c>TryRead</c> methods report malformed input as a <see cref="VarintStatus"/>; the
/// <c>Read</c> methods throw <see cref="WireProtocolViolationException"/> (a <see cref="FormatException"/>).
/// </remarks>
public static class Varint
{
    /// <summary>The most bytes a varint may take under the multiformats rules.</summary>
    public const int MaxLength = 9;

    /// <summary>The largest value a varint can carry (2^63 - 1).</summary>
    public const ulong MaxValue = long.MaxValue;

    /// <summary>Returns how many bytes <paramref name="value"/> takes when encoded.</summary>
    /// <param name="value">The value; at most <see cref="MaxValue"/>.</param>
    /// <returns>A length from 1 to 9.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is above <see cref="MaxValue"/>.</exception>
    public static int GetLength(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        // 1 + floor(log2(value) / 7), computed without a loop.
        int bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(value | 1);
        return (bits + 6) / 7;
    }

    /// <summary>Encodes <paramref name="value"/> into <paramref name="destination"/>.</summary>
    /// <param name="destination">Where to write; needs <see cref="GetLength"/> bytes.</param>
    /// <param name="value">The value; at most <see cref="MaxValue"/>.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is above <see cref="MaxValue"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public static int Write(Span<byte> destination, ulong value)
    {
        int length = GetLength(value);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination needs {length} bytes.", nameof(destination));
        }

        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Encodes <paramref name="value"/> into a new array.</summary>
    /// <param name="value">The value; at most <see cref="MaxValue"/>.</param>
    /// <returns>The encoded bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is above <see cref="MaxValue"/>.</exception>
    public static byte[] Encode(ulong value)
    {
        var bytes = new byte[GetLength(value)];
        Write(bytes, value);
        return bytes;
    }

    /// <summary>Encodes <paramref name="value"/> into a buffer writer.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value; at most <see cref="MaxValue"/>.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is above <see cref="MaxValue"/>.</exception>
    public static int Write(IBufferWriter<byte> writer, ulong value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int written = Write(writer.GetSpan(MaxLength), value);
        writer.Advance(written);
        return written;
    }

    /// <summary>Tries to decode a varint at the start of <paramref name="source"/>.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="value">The decoded value when the result is <see cref="VarintStatus.Done"/>.</param>
    /// <param name="bytesRead">The bytes the varint took when the result is <see cref="VarintStatus.Done"/>.</param>
    /// <returns>Whether a valid varint was decoded, and if not, why.</returns>
    public static VarintStatus TryRead(ReadOnlySpan<byte> source, out ulong value, out int bytesRead)
    {
        value = 0;
        bytesRead = 0;
        ulong result = 0;
        for (int i = 0; i < MaxLength; i++)
        {
            if (i >= source.Length)
            {
                return VarintStatus.NeedMoreData;
            }

            byte b = source[i];
            result |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    return VarintStatus.NotMinimal;
                }

                value = result;
                bytesRead = i + 1;
                return VarintStatus.Done;
            }
        }

        // Nine bytes, all with the continuation bit: longer than the spec allows.
        return VarintStatus.Overflow;
    }

    /// <summary>Tries to decode a varint at the start of a (possibly multi-segment) sequence.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="value">The decoded value when the result is <see cref="VarintStatus.Done"/>.</param>
    /// <param name="bytesRead">The bytes the varint took when the result is <see cref="VarintStatus.Done"/>.</param>
    /// <returns>Whether a valid varint was decoded, and if not, why.</returns>
    public static VarintStatus TryRead(in ReadOnlySequence<byte> source, out ulong value, out int bytesRead)
    {
        if (source.IsSingleSegment || source.FirstSpan.Length >= MaxLength)
        {
            return TryRead(source.FirstSpan, out value, out bytesRead);
        }

        Span<byte> head = stackalloc byte[MaxLength];
        int length = (int)Math.Min(source.Length, MaxLength);
        source.Slice(0, length).CopyTo(head);
        return TryRead(head[..length], out value, out bytesRead);
    }

    /// <summary>Decodes a varint at the start of <paramref name="source"/>.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="bytesRead">The bytes the varint took.</param>
    /// <returns>The value.</returns>
    /// <exception cref="WireProtocolViolationException">The bytes are truncated, too long or not minimal.</exception>
    public static ulong Read(ReadOnlySpan<byte> source, out int bytesRead)
    {
        var status = TryRead(source, out ulong value, out bytesRead);
        ThrowIfNotDone(status);
        return value;
    }

    /// <summary>
    /// Reads one varint from <paramref name="stream"/>, a byte at a time (it never reads past the
    /// varint).
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The value, or <see langword="null"/> when the stream ended before the first byte.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="WireProtocolViolationException">The stream ended inside the varint, or it is too long or not minimal.</exception>
    public static async ValueTask<ulong?> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] buffer = new byte[MaxLength];
        for (int i = 0; i < MaxLength; i++)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(i, 1), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (i == 0)
                {
                    return null;
                }

                throw Error.Truncated("varint");
            }

            if ((buffer[i] & 0x80) == 0)
            {
                return Read(buffer.AsSpan(0, i + 1), out _);
            }
        }

        throw ToException(VarintStatus.Overflow);
    }

    /// <summary>Writes <paramref name="value"/> to <paramref name="stream"/>.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="value">The value; at most <see cref="MaxValue"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the bytes were written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is above <see cref="MaxValue"/>.</exception>
    public static ValueTask WriteAsync(Stream stream, ulong value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.WriteAsync(Encode(value), cancellationToken);
    }

    internal static void ThrowIfNotDone(VarintStatus status)
    {
        if (status != VarintStatus.Done)
        {
            throw ToException(status);
        }
    }

    internal static WireProtocolViolationException ToException(VarintStatus status) => status switch
    {
        VarintStatus.NeedMoreData => Error.Truncated("varint"),
        VarintStatus.Overflow => Error.Protocol("The varint is longer than 9 bytes."),
        VarintStatus.NotMinimal => Error.Protocol("The varint is not minimally encoded."),
        _ => Error.Protocol($"Unexpected varint status {status}."),
    };
}
