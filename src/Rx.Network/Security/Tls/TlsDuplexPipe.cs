using System.IO.Pipelines;
using System.Net.Security;

namespace Rx.Network.Security.Tls;

/// <summary>
/// The plaintext side of an authenticated <see cref="SslStream"/> as the <see cref="IDuplexPipe"/>
/// the secure-channel pipeline runs on: the same bounded Dataflow blocks, coalescing send loop
/// and backpressure as Noise, with SslStream as the record layer underneath.
/// </summary>
/// <remarks>
/// The reader reads one segment (<see cref="ReadBufferSize"/>) at a time, only when the channel's
/// receive loop asks, so a full inbound block stops SslStream from reading the socket. Completing
/// the writer without an error is the half-close: what is buffered goes out, then TLS close_notify,
/// then the raw connection's write side is closed (TCP FIN).
/// </remarks>
internal sealed class TlsDuplexPipe : IDuplexPipe
{
    /// <summary>
    /// The pooled read segment: one TLS record's plaintext (at most 16 KiB), what one SslStream
    /// read returns. An idle connection holds one while its read waits, so it is no larger:
    /// 64 KiB cost 48 KiB more per idle connection end and moved no more bytes per read.
    /// </summary>
    private const int ReadBufferSize = 16 * 1024;

    /// <summary>Plaintext staged per write: a full TLS record.</summary>
    private const int WriteBufferSize = 16 * 1024;

    public TlsDuplexPipe(SslStream ssl, IDuplexPipe raw)
    {
        Input = PipeReader.Create(ssl, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: ReadBufferSize / 4, leaveOpen: true));
        Output = new TlsPipeWriter(PipeWriter.Create(ssl, new StreamPipeWriterOptions(minimumBufferSize: WriteBufferSize, leaveOpen: true)), ssl, raw.Output);
    }

    /// <inheritdoc/>
    public PipeReader Input { get; }

    /// <inheritdoc/>
    public PipeWriter Output { get; }

    /// <summary>Delegates to SslStream's pipe writer, and turns a clean completion into close_notify and FIN.</summary>
    private sealed class TlsPipeWriter(PipeWriter inner, SslStream ssl, PipeWriter raw) : PipeWriter
    {
        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void Complete(Exception? exception = null)
        {
            inner.Complete(exception);
            raw.Complete(exception);
        }

        public override async ValueTask CompleteAsync(Exception? exception = null)
        {
            try
            {
                // Flushes what is buffered when there is no error; the SslStream stays open.
                await inner.CompleteAsync(exception).ConfigureAwait(false);
                if (exception is null)
                {
                    await ssl.ShutdownAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (exception is null)
            {
                exception = e;
            }
            finally
            {
                await raw.CompleteAsync(exception).ConfigureAwait(false);
            }
        }
    }
}
