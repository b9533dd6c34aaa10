using System.Buffers;
using Rx.Network.Encoding;

namespace Rx.Network.Security;

/// <summary>
/// The codec of <c>/plaintext/2.0.0</c>: no framing and no encryption, bytes pass as they are.
/// For tests and as the performance baseline of the pipeline; never for production traffic.
/// </summary>
internal sealed class PassThroughCodec : IFrameCodec
{
    /// <summary>The largest chunk handed to the muxer at once.</summary>
    private const int MaxChunk = 64 * 1024;

    /// <summary>The shared instance: the codec holds no state.</summary>
    public static PassThroughCodec Instance { get; } = new();

    /// <inheritdoc/>
    public int MaxPlaintextPerFrame => MaxChunk;

    /// <inheritdoc/>
    public int FrameOverhead => 0;

    /// <inheritdoc/>
    public int Seal(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        plaintext.CopyTo(destination);
        return plaintext.Length;
    }

    /// <inheritdoc/>
    public bool TryOpen(ref ReadOnlySequence<byte> buffer, out PooledBuffer plaintext)
    {
        if (buffer.IsEmpty)
        {
            plaintext = default;
            return false;
        }

        var take = buffer.Slice(0, Math.Min(buffer.Length, MaxChunk));
        plaintext = PooledBuffer.Rent((int)take.Length);
        take.CopyTo(plaintext.Span);
        buffer = buffer.Slice(take.End);
        return true;
    }
}
