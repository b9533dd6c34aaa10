using Rx.Network.Encoding;

namespace Rx.Network.Negotiation;

/// <summary>
/// Multistream messages over a <see cref="Stream"/>: the thin secondary channel.
/// </summary>
/// <remarks>
/// Not built on <c>PipeReader.Create(stream)</c>: that reader fills its buffer with whatever the
/// stream has, so bytes the remote pipelined after the negotiation would be stranded in a reader
/// we then throw away. Instead the varint is read a byte at a time and the payload exactly
/// (<see cref="LengthPrefixed.ReadAsync(Stream, int, CancellationToken)"/>): a few more reads, but
/// negotiation is a handful of short messages and nothing past them is consumed.
/// </remarks>
internal sealed class StreamMessageChannel(Stream stream) : IMessageChannel
{
    public async ValueTask<string?> ReadAsync(CancellationToken cancellationToken)
    {
        // Truncation and oversize already surface as WireProtocolViolationException / MessageTooLargeException.
        byte[]? payload = await LengthPrefixed.ReadAsync(stream, MultistreamSelect.MaxMessageLength, cancellationToken).ConfigureAwait(false);
        return payload is null ? null : MultistreamMessage.Decode(new(payload));
    }

    public async ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(frames, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }
}
