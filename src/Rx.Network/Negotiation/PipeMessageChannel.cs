using System.IO.Pipelines;
using Rx.Network.Encoding;
using Rx.Network.Errors;

namespace Rx.Network.Negotiation;

/// <summary>
/// Multistream messages over an <see cref="IDuplexPipe"/>: the primary channel. The reader is
/// advanced only past the messages consumed, so whatever the remote pipelined after the last
/// negotiation message stays in the pipe for the negotiated protocol.
/// </summary>
internal sealed class PipeMessageChannel(IDuplexPipe pipe) : IMessageChannel
{
    public async ValueTask<string?> ReadAsync(CancellationToken cancellationToken)
    {
        var reader = pipe.Input;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            string? text = null;
            bool found;
            try
            {
                found = LengthPrefixed.TryRead(ref buffer, out var payload, MultistreamSelect.MaxMessageLength);
                if (found)
                {
                    text = MultistreamMessage.Decode(payload);
                }
            }
            catch
            {
                // Leave the reader usable (nothing consumed) for whoever tears the channel down.
                reader.AdvanceTo(result.Buffer.Start);
                throw;
            }

            if (found)
            {
                reader.AdvanceTo(buffer.Start);
                return text;
            }

            // Nothing consumed, everything examined: the next read waits for more bytes.
            // Measure before advancing: the pipe may recycle the segments afterwards.
            bool empty = buffer.IsEmpty;
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return empty ? null : throw Error.Truncated("multistream-select message");
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The pipe read was canceled.");
            }
        }
    }

    public async ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken)
    {
        var result = await pipe.Output.WriteAsync(frames, cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The pipe flush was canceled.");
        }

        return !result.IsCompleted;
    }
}
