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
        int maxPlaintext = sendCodec.MaxPlaintextPerFrame;
        // Rented when a small chunk is first staged and returned once the burst is flushed: an idle
        // connection holds no staging buffer (a frame's worth, 64 KiB for Noise).
        byte[]? staging = null;
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
                                    unflushed += await EmitAsync(staging.AsMemory(0, staged), token).ConfigureAwait(false);
                                    staged = 0;
                                }

                                int direct = Math.Min(remaining.Length, maxPlaintext);
                                unflushed += await EmitAsync(remaining[..direct], token).ConfigureAwait(false);
                                remaining = remaining[direct..];
                                continue;
                            }

                            staging ??= ArrayPool<byte>.Shared.Rent(maxPlaintext);
                            int take = Math.Min(remaining.Length, maxPlaintext - staged);
                            remaining.Span[..take].CopyTo(staging.AsSpan(staged));
                            staged += take;
                            remaining = remaining[take..];
                            if (staged == maxPlaintext)
                            {
                                unflushed += await EmitAsync(staging.AsMemory(0, staged), token).ConfigureAwait(false);
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
                    unflushed += await EmitAsync(staging.AsMemory(0, staged), token).ConfigureAwait(false);
                    staged = 0;
                }

                await FlushAsync(token).ConfigureAwait(false);
                unflushed = 0;
                memory?.Send.Release(taken);
                taken = 0;
                ReturnStaging(ref staging);
            }

            // Output completed. A fault means abort, not a graceful half-close.
            await output.Completion.ConfigureAwait(false);
            await CompleteOutputAsync(null).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var reason = abortReason ?? e;
            Abort(reason);
            await CompleteOutputAsync(reason).ConfigureAwait(false);
        }
        finally
        {
            ReturnStaging(ref staging);
            DrainAndReturn(output);
        }
    }

    /// <summary>Frames one piece of plaintext into the pipe, or writes it to the record layer (which splits it into records).</summary>
    /// <returns>The bytes that will go out at the next flush.</returns>
    private static void ReturnStaging(ref byte[]? staging)
    {
        if (staging is not null)
        {
            ArrayPool<byte>.Shared.Return(staging);
            staging = null;
        }
    }

    private ValueTask<int> EmitAsync(ReadOnlyMemory<byte> plaintext, CancellationToken token)
    {
        if (records is not null)
        {
            return WriteRecordsAsync(records, plaintext, token);
        }

        var writer = pipe!.Output;
        var destination = writer.GetSpan(plaintext.Length + sendCodec.FrameOverhead);
        int written = sendCodec.Seal(plaintext.Span, destination);
        writer.Advance(written);
        return ValueTask.FromResult(written);

        static async ValueTask<int> WriteRecordsAsync(IRecordStream records, ReadOnlyMemory<byte> plaintext, CancellationToken token)
        {
            await records.WriteAsync(plaintext, token).ConfigureAwait(false);
            return plaintext.Length;
        }
    }

    private async ValueTask FlushAsync(CancellationToken token)
    {
        if (records is not null)
        {
            await records.FlushAsync(token).ConfigureAwait(false);
            return;
        }

        var result = await pipe!.Output.FlushAsync(token).ConfigureAwait(false);
        if (result.IsCompleted)
        {
            throw new IOException("The connection can no longer be written to.");
        }
    }

    /// <summary>Ends the outbound direction: a graceful half-close without <paramref name="reason"/>, an abort with one.</summary>
    private ValueTask CompleteOutputAsync(Exception? reason) =>
        records is not null ? records.CompleteWritesAsync(reason) : pipe!.Output.CompleteAsync(reason);

    private static void DrainAndReturn(BufferBlock<PooledBuffer> block)
    {
        while (block.TryReceive(out var chunk))
        {
            chunk.Return();
        }
    }
}
