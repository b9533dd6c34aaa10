using System.Threading.Tasks.Dataflow;
using Rx.Network.Errors;

namespace Rx.Network.Security;

internal sealed partial class SecureChannel
{
    private async Task ReceiveLoopAsync()
    {
        var reader = pipe.Input;
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

                    // Waiting here while the muxer is behind is the backpressure: the pipe stops
                    // reading the socket once its own bound is reached. The chunk counts until the
                    // muxer takes it (InputConsumed); the frame it came from is released below.
                    int length = plaintext.Length;
                    memory?.Receive.Hold(length);
                    if (!await input.SendAsync(plaintext, token).ConfigureAwait(false))
                    {
                        memory?.Receive.Release(length);
                        plaintext.Return();
                        throw abortReason ?? new IOException("The connection was closed.");
                    }

                    inputSignal.Notify();
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

            input.Complete();
            inputSignal.End(fault: false);
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var reason = abortReason ?? e;
            Abort(reason);
            await reader.CompleteAsync(reason).ConfigureAwait(false);
        }
    }
}
