using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Rx.Network.Errors;

namespace Rx.Network.Security.Noise;

/// <summary>Handshake messages on the pipe: a 2-byte big-endian length, then the Noise message (spec, Wire Format).</summary>
internal static partial class NoiseHandshake
{
    private const int LengthPrefixSize = NoiseFrameCodec.LengthPrefixSize;

    private static async ValueTask WriteMessageAsync(
        PipeWriter writer, HandshakeState state, ReadOnlyMemory<byte> payload, byte[] buffer, CancellationToken cancellationToken)
    {
        int length = state.WriteMessage(payload.Span, buffer.AsSpan(LengthPrefixSize, HandshakeState.MaxMessageSize));
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)length);
        var flush = await writer.WriteAsync(buffer.AsMemory(0, LengthPrefixSize + length), cancellationToken).ConfigureAwait(false);
        if (flush.IsCompleted)
        {
            throw Error.Handshake("The remote closed the connection during the Noise handshake.");
        }
    }

    /// <summary>Reads the next message and processes it, writing its payload into <paramref name="payload"/>.</summary>
    /// <returns>The payload length.</returns>
    private static async ValueTask<int> ReadMessageAsync(
        PipeReader reader, HandshakeState state, byte[] buffer, byte[] payload, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var received = result.Buffer;
            if (TryTakeMessage(ref received, out var message))
            {
                // Copy out and measure before advancing: once the reader advances, the pipe may
                // recycle the segments, and a multi-segment sequence's Length is computed from them.
                int length = (int)message.Length;
                message.CopyTo(buffer);

                // Consume exactly this message: what follows may be the first transport frames.
                reader.AdvanceTo(received.Start);
                return state.ReadMessage(buffer.AsSpan(0, length), payload);
            }

            reader.AdvanceTo(received.Start, received.End);
            if (result.IsCanceled)
            {
                throw Error.Handshake("Reading the Noise handshake was cancelled.");
            }

            if (result.IsCompleted)
            {
                throw Error.Truncated("connection during the Noise handshake");
            }
        }
    }

    private static bool TryTakeMessage(ref ReadOnlySequence<byte> received, out ReadOnlySequence<byte> message)
    {
        message = default;
        if (received.Length < LengthPrefixSize)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        received.Slice(0, LengthPrefixSize).CopyTo(prefix);
        int length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
        if (received.Length - LengthPrefixSize < length)
        {
            return false;
        }

        message = received.Slice(LengthPrefixSize, length);
        received = received.Slice(message.End);
        return true;
    }
}
