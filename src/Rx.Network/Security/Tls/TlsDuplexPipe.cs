using System.IO.Pipelines;
using System.Net.Security;
using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Security.Tls;

/// <summary>
/// The plaintext side of an authenticated <see cref="SslStream"/> as the <see cref="IDuplexPipe"/>
/// the secure-channel pipeline runs on: the same bounded Dataflow blocks, coalescing send loop
/// and backpressure as Noise, with SslStream as the record layer underneath.
/// </summary>
/// <remarks>
/// The reader reads one segment (<see cref="ReadBufferSize"/>) at a time, only when the channel's
/// receive loop asks, so a full inbound block stops SslStream from reading the socket. Completing
/// the writer without an error is the half-close: what is buffered goes out, then the raw
/// connection's write side is closed (TCP FIN); no close_notify (see <c>CompleteAsync</c>).
/// </remarks>
internal sealed class TlsDuplexPipe : IAccountedPipe
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
        Output = new TlsPipeWriter(PipeWriter.Create(ssl, new StreamPipeWriterOptions(minimumBufferSize: WriteBufferSize, leaveOpen: true)), raw.Output);
        Memory = (raw as IAccountedPipe)?.Memory;
    }

    /// <summary>The raw connection's transport buffers, which the channel above counts in too.</summary>
    public TransportMemory? Memory { get; }

    /// <inheritdoc/>
    public PipeReader Input { get; }

    /// <inheritdoc/>
    public PipeWriter Output { get; }

    /// <summary>Delegates to SslStream's pipe writer, and turns a clean completion into a flush and TCP FIN.</summary>
    private sealed class TlsPipeWriter(PipeWriter inner, PipeWriter raw) : PipeWriter
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
                // Flushes what is buffered when there is no error; the SslStream stays open. No
                // close_notify follows: SslStream.ShutdownAsync runs OpenSSL's SSL_shutdown while
                // the receive loop may be inside SSL_read on the same SSL object, and OpenSSL does
                // not allow that (measured: heap corruption, the process killed, in 8 of 25 runs
                // of a 2 s handshake loop; none in 20 without it). Truncation is still detected
                // where it matters: the muxer's own close (yamux FIN, GoAway) travels inside the
                // authenticated records, so a cut connection fails its streams instead of ending
                // them cleanly. The TCP FIN below is the end of the connection.
                await inner.CompleteAsync(exception).ConfigureAwait(false);
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
