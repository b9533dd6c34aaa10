using System.Buffers;
using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;

namespace Rx.Network.Security;

internal sealed partial class SecureChannel
{
    /// <summary>
    /// Chunks at least this large are sealed straight from the chunk instead of being copied into
    /// the staging buffer first: small writes are coalesced, large ones are not copied twice.
    /// </summary>
    private const int DirectSealThreshold = 4096;

    private async Task SendLoopAsync()
    {
        var writer = pipe.Output;
        int maxPlaintext = sendCodec.MaxPlaintextPerFrame;
        byte[] staging = ArrayPool<byte>.Shared.Rent(maxPlaintext);
        int staged = 0;
        long unflushed = 0;

        // Plaintext taken from Output since the last flush: the muxer held it (HoldOutputAsync);
        // released once flushed, when the pipe (which counts it again) or TLS has it.
        long taken = 0;
        var token = aborted.Token;
        try
        {
            while (await output.OutputAvailableAsync(token).ConfigureAwait(false))
            {
                while (output.TryReceive(out var chunk))
                {
                    taken += chunk.Length;
                    try
                    {
                        var remaining = chunk.Memory;
                        while (!remaining.IsEmpty)
                        {
                            if (remaining.Length >= DirectSealThreshold)
                            {
                                // Small frames staged before a large chunk go out as their own
                                // Noise frame: copying the large chunk behind them would cost a
                                // copy of it and shift every later chunk off the frame boundaries,
                                // so the whole burst would be copied (a 16-byte tag is cheaper).
                                if (staged > 0)
                                {
                                    unflushed += Seal(staging.AsSpan(0, staged));
                                    staged = 0;
                                }

                                int direct = Math.Min(remaining.Length, maxPlaintext);
                                unflushed += Seal(remaining.Span[..direct]);
                                remaining = remaining[direct..];
                                continue;
                            }

                            int take = Math.Min(remaining.Length, maxPlaintext - staged);
                            remaining.Span[..take].CopyTo(staging.AsSpan(staged));
                            staged += take;
                            remaining = remaining[take..];
                            if (staged == maxPlaintext)
                            {
                                unflushed += Seal(staging.AsSpan(0, staged));
                                staged = 0;
                            }
                        }
                    }
                    finally
                    {
                        chunk.Return();
                    }

                    if (unflushed >= options.MaxFlushBytes)
                    {
                        await FlushAsync(token).ConfigureAwait(false);
                        unflushed = 0;
                        memory?.Send.Release(taken);
                        taken = 0;
                    }
                }

                // Nothing more is queued right now: send what is staged as one frame.
                if (staged > 0)
                {
                    unflushed += Seal(staging.AsSpan(0, staged));
                    staged = 0;
                }

                await FlushAsync(token).ConfigureAwait(false);
                unflushed = 0;
                memory?.Send.Release(taken);
                taken = 0;
            }

            // Output completed. A fault means abort, not a graceful half-close.
            await output.Completion.ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var reason = abortReason ?? e;
            Abort(reason);
            await writer.CompleteAsync(reason).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(staging);
            DrainAndReturn(output);
        }
    }

    private int Seal(ReadOnlySpan<byte> plaintext)
    {
        var destination = pipe.Output.GetSpan(plaintext.Length + sendCodec.FrameOverhead);
        int written = sendCodec.Seal(plaintext, destination);
        pipe.Output.Advance(written);
        return written;
    }

    private async ValueTask FlushAsync(CancellationToken token)
    {
        var result = await pipe.Output.FlushAsync(token).ConfigureAwait(false);
        if (result.IsCompleted)
        {
            throw new IOException("The connection can no longer be written to.");
        }
    }

    private static void DrainAndReturn(BufferBlock<PooledBuffer> block)
    {
        while (block.TryReceive(out var chunk))
        {
            chunk.Return();
        }
    }
}
