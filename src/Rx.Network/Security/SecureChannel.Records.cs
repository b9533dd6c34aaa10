using Rx.Network.Encoding;

namespace Rx.Network.Security;

/// <summary>The receive side over an <see cref="IRecordStream"/> (TLS): plaintext straight into pooled chunks.</summary>
internal sealed partial class SecureChannel
{
    private async Task RecordReceiveLoopAsync(IRecordStream stream)
    {
        var token = aborted.Token;
        int size = stream.ReadChunkSize;
        try
        {
            while (true)
            {
                // Wait for a record with no chunk in hand (an idle connection holds none), then
                // one pooled chunk per read, handed to the muxer as it is: no pipe segment and no
                // second copy between the record layer and the input block.
                await stream.WaitForDataAsync(token).ConfigureAwait(false);
                var chunk = PooledBuffer.Rent(size);
                int read;
                try
                {
                    read = await stream.ReadAsync(chunk.Array.AsMemory(0, size), token).ConfigureAwait(false);
                }
                catch
                {
                    chunk.Return();
                    throw;
                }

                if (read == 0)
                {
                    chunk.Return();
                    break;
                }

                await DeliverAsync(chunk.WithLength(read), token).ConfigureAwait(false);
            }

            await inbound.CompleteAsync(token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Abort(abortReason ?? e);
        }
    }
}
