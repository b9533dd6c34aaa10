using System.Buffers;
using Rx.Network.Encoding;

namespace Rx.Network.Security;

/// <summary>
/// Turns plaintext into wire frames and back, for one direction pair of a secured connection:
/// Noise's length-prefixed AEAD frames, or plaintext's pass-through. The pipeline
/// (the secure channel) owns the buffering and the Dataflow blocks; a codec only
/// transforms bytes, so each one is tested alone.
/// </summary>
/// <remarks>Not thread-safe: the pipeline calls <see cref="Seal"/> from its seal stage (one task at a time) and
/// <see cref="TryOpen"/> from its one receive loop (which may be different threads).</remarks>
internal interface IFrameCodec
{
    /// <summary>The most plaintext bytes one frame carries (65535 - 16 for Noise).</summary>
    int MaxPlaintextPerFrame { get; }

    /// <summary>Bytes a frame adds to its plaintext (2 + 16 for Noise, 0 for plaintext).</summary>
    int FrameOverhead { get; }

    /// <summary>Writes the wire form of one frame of <paramref name="plaintext"/> (at most <see cref="MaxPlaintextPerFrame"/> bytes).</summary>
    /// <param name="plaintext">The bytes to protect.</param>
    /// <param name="destination">At least <c>plaintext.Length + FrameOverhead</c> bytes.</param>
    /// <returns>The bytes written.</returns>
    /// <exception cref="InvalidOperationException">The send nonce is exhausted; the connection must close.</exception>
    int Seal(ReadOnlySpan<byte> plaintext, Span<byte> destination);

    /// <summary>
    /// Tries to take one frame from the front of <paramref name="buffer"/> and return its
    /// plaintext in a rented buffer.
    /// </summary>
    /// <param name="buffer">Bytes received; on success, advanced past the frame.</param>
    /// <param name="plaintext">The frame's plaintext on success (owned by the caller).</param>
    /// <returns><see langword="false"/> when more bytes are needed.</returns>
    /// <exception cref="WireProtocolViolationException">The frame fails authentication or is malformed.</exception>
    bool TryOpen(ref ReadOnlySequence<byte> buffer, out PooledBuffer plaintext);
}
