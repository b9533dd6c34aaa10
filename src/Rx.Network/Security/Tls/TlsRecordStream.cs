using System.IO.Pipelines;
using System.Net.Security;
using System.Runtime.CompilerServices;
using Rx.Network.Errors;
using Rx.Network.Resources;

namespace Rx.Network.Security.Tls;

/// <summary>
/// The plaintext side of an authenticated <see cref="SslStream"/> as the <see cref="IRecordStream"/>
/// the secure channel runs on: the same bounded Dataflow blocks, coalescing send loop and
/// backpressure as Noise, with SslStream as the record layer underneath and no pipe in between.
/// </summary>
/// <remarks>
/// Each read fills one pooled chunk of <see cref="ReadChunkSize"/> (one TLS record's plaintext),
/// only when the channel's receive loop asks, so a full inbound block stops SslStream from reading
/// the socket; an idle connection end holds one such chunk while its read waits. Writes go to
/// SslStream as they come (it cuts them into records of at most 16 KiB); the records are copied
/// into the raw pipe and reach the socket at the channel's flush (<see cref="PipeStream"/>).
/// Completing without an error is the half-close: what is buffered goes out, then the raw
/// connection's write side is closed (TCP FIN); no close_notify (see <see cref="CompleteWritesAsync"/>).
/// </remarks>
internal sealed class TlsRecordStream(SslStream ssl, PipeStream transport, PipeWriter raw, TransportMemory? memory) : IRecordStream
{
    /// <inheritdoc/>
    public TransportMemory? Memory => memory;

    /// <summary>
    /// One TLS record's plaintext (at most 16 KiB), what one SslStream read returns: a larger
    /// chunk held 48 KiB more per idle connection end and moved no more bytes per read.
    /// </summary>
    public int ReadChunkSize => 16 * 1024;

    /// <inheritdoc/>
    /// <exception cref="WireProtocolViolationException">A record failed authentication or was malformed, or the connection ended inside one.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = ssl.ReadAsync(buffer, cancellationToken);
        return read.IsCompletedSuccessfully ? read : ObserveAsync(read);
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken) => ssl.WriteAsync(plaintext, cancellationToken);

    /// <inheritdoc/>
    public ValueTask FlushAsync(CancellationToken cancellationToken) => new(ssl.FlushAsync(cancellationToken));

    /// <summary>
    /// Awaits a read that did not complete at once, and gives a failure of the record layer its
    /// type: SslStream reports a forged or malformed record (and a connection cut inside a record)
    /// as a bare <see cref="IOException"/>, like a failure of the transport below it; only the
    /// transport's own errors pass through <see cref="PipeStream"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ObserveAsync(ValueTask<int> read)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (IOException e) when (transport.ReadFailure is not { } failure || (!ReferenceEquals(e, failure) && !ReferenceEquals(e.InnerException, failure)))
        {
            throw Error.Protocol($"A TLS record could not be read: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public async ValueTask CompleteWritesAsync(Exception? error)
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
            if (error is null)
            {
                await ssl.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            await raw.CompleteAsync(error).ConfigureAwait(false);
        }
    }
}
