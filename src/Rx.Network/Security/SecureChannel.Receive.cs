using System.IO.Pipelines;
using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Errors;

namespace Rx.Network.Security;

internal sealed partial class SecureChannel
{
    private async Task ReceiveLoopAsync(PipeReader reader)
    {
        var token = aborted.Token;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (receiveCodec.TryOpen(ref buffer, out var plaintext))
                {
                    if (plaintext.Length == 0)
                    {
                        plaintext.Return();
                        continue;
                    }

                    await DeliverAsync(plaintext, token).ConfigureAwait(false);
                }

                // Measure before advancing: the pipe may recycle the segments afterwards.
                long leftover = buffer.Length;
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    if (leftover != 0)
                    {
                        throw Error.Protocol($"The connection closed inside a frame ({leftover} bytes left over).");
                    }

                    break;
                }
            }

            await inbound.CompleteAsync(token).ConfigureAwait(false);
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var reason = abortReason ?? e;
            Abort(reason);
            await reader.CompleteAsync(reason).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Hands one plaintext chunk to the muxer: into <see cref="Input"/>, or straight into the
    /// muxer's block once it took over (<see cref="DeliverInputTo"/>, <see cref="InboundHandOver"/>). Waiting here while the muxer
    /// is behind is the backpressure: the receive loop stops reading, and the socket's own bound
    /// stops the remote. The chunk counts in the connection's transport memory until the muxer
    /// takes it (<see cref="InputConsumed"/>).
    /// </summary>
    private async ValueTask DeliverAsync(PooledBuffer plaintext, CancellationToken token)
    {
        int length = plaintext.Length;
        memory?.Receive.Hold(length);
        bool accepted;
        try
        {
            accepted = await inbound.SendAsync(plaintext, token).ConfigureAwait(false);
        }
        catch
        {
            memory?.Receive.Release(length);
            plaintext.Return();
            throw;
        }

        if (!accepted)
        {
            memory?.Receive.Release(length);
            plaintext.Return();
            throw abortReason ?? new IOException("The connection was closed.");
        }
    }
}
