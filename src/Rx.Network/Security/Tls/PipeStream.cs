using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Rx.Network.Errors;
using Rx.Network.Transports;

namespace Rx.Network.Security.Tls;

/// <summary>
/// The raw connection's <see cref="IDuplexPipe"/> as the <see cref="Stream"/> that
/// <see cref="System.Net.Security.SslStream"/> wraps: reads copy out of the pipe's pooled segments,
/// writes copy into it, and flushes wait on the pipe's pause threshold (the backpressure).
/// </summary>
/// <remarks>
/// Until <see cref="EndHandshake"/>, reads count against a byte budget: a stranger cannot make us
/// receive (and OpenSSL parse) more than that before it has proven anything, however large the
/// certificate it claims to send. Only the asynchronous members are supported; SslStream is only
/// ever driven asynchronously here.
/// </remarks>
internal sealed class PipeStream : Stream
{
    /// <summary>
    /// The most encrypted bytes held in the pipe between flushes after the handshake: what the
    /// pipeline's seal stage stages (its MaxFlushBytes) plus record overhead stays near this.
    /// </summary>
    private const int MaxUnflushed = 1024 * 1024;

    private readonly IDuplexPipe pipe;
    private readonly RecordCursor records;
    private long unflushed;
    private long handshakeBudget;
    private bool handshakeDone;

    /// <param name="pipe">The raw connection.</param>
    /// <param name="handshakeBudget">The most bytes the handshake may read.</param>
    public PipeStream(IDuplexPipe pipe, int handshakeBudget)
    {
        this.pipe = pipe;
        this.handshakeBudget = handshakeBudget;
        records = new RecordCursor((pipe as IAccountedPipe)?.InputBound ?? 0);
    }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// The last error the raw connection gave a read (the transport failed or was aborted), so
    /// that the record layer above can tell it from its own failures (a record that fails
    /// authentication, a connection cut inside a record).
    /// </summary>
    public Exception? ReadFailure { get; private set; }

    /// <summary>
    /// Whether a read would not wait: a whole TLS record (or, once the pipe holds as much as its
    /// producer may add, part of one) is in the raw pipe, unread by
    /// SslStream, or the connection has ended there. Never waits. Called only between reads (the
    /// pipe has one reader at a time).
    /// </summary>
    public bool HasWholeRecord()
    {
        var reader = pipe.Input;
        ReadResult result;
        try
        {
            if (!reader.TryRead(out result))
            {
                return false;
            }
        }
        catch (Exception)
        {
            // The pipe failed: the next read reports it, with its type (ReadFailure).
            return false;
        }

        var available = result.Buffer;
        bool ready = result.IsCompleted ? !available.IsEmpty : records.Ready(available, 1) > 0;
        reader.AdvanceTo(available.Start);
        return ready;
    }

    /// <summary>Lifts the handshake's byte budget: from here on the connection's own bounds apply.</summary>
    public void EndHandshake() => Volatile.Write(ref handshakeDone, true);

    /// <inheritdoc/>
    /// <remarks>
    /// <para>A read of an empty buffer waits until bytes are there (or the connection ended) and takes
    /// none, as SslStream expects of the stream it wraps: it reads zero bytes first and rents its
    /// record buffer only once a record is on its way, so an idle connection holds none.</para>
    /// <para>Bytes are handed over in whole TLS records (<see cref="RecordCursor"/>): a record still
    /// arriving stays in the raw pipe, where the connection's receive budget counts it, until its
    /// last byte is there. Handed over piecemeal, every sliver SslStream swallowed into its own
    /// buffer left the budget and let the receive pump read the socket a few bytes at a time
    /// (measured on 16 streams: 3-5 × Noise's receive calls, many of 17 bytes), and SslStream
    /// looped on each partial record. A zero-byte read likewise completes once a whole record
    /// is there. Nothing past a record shorter than a full one is handed over with it: such a
    /// record ends a write of the sender, and SslStream would decrypt the next write into the same
    /// read (<see cref="RecordCursor.Ready"/>). A record is handed over in part only once the pipe
    /// holds its bound (<see cref="IAccountedPipe.InputBound"/>: the receive pump has paused, so a
    /// pipe bounded below one record does not stall), or, where the bound is unknown,
    /// <see cref="RecordCursor.PartialHandOver"/> bytes of it wait; bytes that do not parse as TLS
    /// records are passed on as they come (SslStream rejects them).</para>
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var reader = pipe.Input;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                ReadFailure = e;
                throw;
            }

            var available = result.Buffer;
            long ready = result.IsCompleted ? available.Length : records.Ready(available, Math.Max(buffer.Length, 1));
            if (ready == 0)
            {
                // Nothing, or only part of a record: wait for more (examined all of it).
                reader.AdvanceTo(available.Start, available.End);
                if (result.IsCompleted)
                {
                    return 0;
                }

                if (result.IsCanceled)
                {
                    throw new OperationCanceledException("The read was canceled.");
                }

                continue;
            }

            if (buffer.IsEmpty)
            {
                reader.AdvanceTo(available.Start);
                return 0;
            }

            int count = (int)Math.Min(ready, buffer.Length);
            if (!Volatile.Read(ref handshakeDone))
            {
                handshakeBudget -= count;
                if (handshakeBudget < 0)
                {
                    reader.AdvanceTo(available.Start);
                    throw Error.Handshake("The TLS handshake exceeded its byte budget; the remote's messages (its certificate) are too large.");
                }
            }

            available.Slice(0, count).CopyTo(buffer.Span);
            records.Advance(available, count);
            reader.AdvanceTo(available.GetPosition(count));
            return count;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// During the handshake every write is flushed (SslStream's handshake does not always flush).
    /// Afterwards records are only copied into the pipe and go out when SslStream flushes (the
    /// pipeline's seal stage flushes after each burst), or every <see cref="MaxUnflushed"/> bytes:
    /// one socket wake-up per burst instead of per 16 KiB record.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var writer = pipe.Output;
        if (!Volatile.Read(ref handshakeDone))
        {
            await FlushResultAsync(writer.WriteAsync(buffer, cancellationToken)).ConfigureAwait(false);
            return;
        }

        writer.Write(buffer.Span);
        unflushed += buffer.Length;
        if (unflushed >= MaxUnflushed)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        if (unflushed == 0)
        {
            return Task.CompletedTask;
        }

        unflushed = 0;
        return FlushResultAsync(pipe.Output.FlushAsync(cancellationToken));
    }

    /// <inheritdoc/>
    public override void Flush() => throw new NotSupportedException("Only asynchronous flushes are supported.");

    private static async Task FlushResultAsync(ValueTask<FlushResult> flush)
    {
        var result = await flush.ConfigureAwait(false);
        if (result.IsCompleted)
        {
            throw new IOException("The connection can no longer be written to.");
        }
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Only asynchronous reads are supported.");

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Only asynchronous writes are supported.");

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
}
