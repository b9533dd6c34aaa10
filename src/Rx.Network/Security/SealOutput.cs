using System.IO.Pipelines;

namespace Rx.Network.Security;

/// <summary>
/// Where the seal stage puts what it sealed: frames into the socket's <see cref="PipeWriter"/>
/// (the codec seals them), or plaintext into a record layer that frames and encrypts by itself (TLS).
/// </summary>
/// <remarks>Used by one <see cref="SealBlock"/> run at a time; not thread-safe.</remarks>
internal sealed class SealOutput
{
    private readonly PipeWriter? writer;
    private readonly IRecordStream? records;
    private readonly IFrameCodec codec;

    /// <summary>Seals with <paramref name="codec"/> into <paramref name="writer"/>.</summary>
    /// <param name="writer">The socket's pipe.</param>
    /// <param name="codec">Frames outbound bytes (for Noise, with the send cipher).</param>
    public SealOutput(PipeWriter writer, IFrameCodec codec)
    {
        this.writer = writer;
        this.codec = codec;
    }

    /// <summary>Writes plaintext to a record layer (TLS), which splits it into records.</summary>
    /// <param name="records">The plaintext side of the record layer.</param>
    public SealOutput(IRecordStream records)
    {
        this.records = records;
        codec = PassThroughCodec.Instance;
    }

    /// <summary>The most plaintext one frame carries (65519 for Noise).</summary>
    public int MaxPlaintextPerFrame => codec.MaxPlaintextPerFrame;

    /// <summary>Frames one piece of plaintext into the pipe, or writes it to the record layer.</summary>
    /// <param name="plaintext">At most <see cref="MaxPlaintextPerFrame"/> bytes.</param>
    /// <param name="token">Cancelled when the channel is aborted.</param>
    /// <returns>The bytes that will go out at the next flush.</returns>
    public ValueTask<int> EmitAsync(ReadOnlyMemory<byte> plaintext, CancellationToken token)
    {
        if (records is not null)
        {
            return WriteRecordsAsync(records, plaintext, token);
        }

        var destination = writer!.GetSpan(plaintext.Length + codec.FrameOverhead);
        int written = codec.Seal(plaintext.Span, destination);
        writer.Advance(written);
        return ValueTask.FromResult(written);

        static async ValueTask<int> WriteRecordsAsync(IRecordStream records, ReadOnlyMemory<byte> plaintext, CancellationToken token)
        {
            await records.WriteAsync(plaintext, token).ConfigureAwait(false);
            return plaintext.Length;
        }
    }

    /// <summary>Hands what was emitted to the socket.</summary>
    /// <param name="token">Cancelled when the channel is aborted.</param>
    /// <exception cref="IOException">The connection can no longer be written to.</exception>
    public async ValueTask FlushAsync(CancellationToken token)
    {
        if (records is not null)
        {
            await records.FlushAsync(token).ConfigureAwait(false);
            return;
        }

        var result = await writer!.FlushAsync(token).ConfigureAwait(false);
        if (result.IsCompleted)
        {
            throw new IOException("The connection can no longer be written to.");
        }
    }

    /// <summary>Ends the outbound direction: a graceful half-close without <paramref name="reason"/>, an abort with one.</summary>
    /// <param name="reason">Why the direction ends abnormally, or null.</param>
    public ValueTask CompleteAsync(Exception? reason) =>
        records is not null ? records.CompleteWritesAsync(reason) : writer!.CompleteAsync(reason);
}
