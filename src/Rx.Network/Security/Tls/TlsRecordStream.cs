using System.IO.Pipelines;
using System.Net.Security;
using System.Runtime.CompilerServices;
using Rx.Network.Errors;
using Rx.Network.Resources;

namespace Rx.Network.Security.Tls;

/// <summary>
/// The plaintext side of an authenticated <see cref="SslStream"/> as the <see cref="IRecordStream"/>
/// the secure channel runs on: the same bounded Dataflow blocks, coalescing seal stage and
/// backpressure as Noise, with SslStream as the record layer underneath and no pipe in between.
/// </summary>
/// <remarks>
/// The channel first waits for a record without holding a buffer (<see cref="WaitForDataAsync"/>:
/// SslStream's zero-byte read, which rents its own record buffer only once a record is on its way),
/// then reads into one pooled chunk of <see cref="ReadChunkSize"/>. One read decrypts every record
/// that is already whole, and goes on while the raw pipe holds a whole record more and the last
/// record was a full one, so a bulk transfer hands the muxer one sender's write (one yamux frame,
/// up to 64 KiB) per chunk, as Noise does, instead of one 16 KiB record, and no read waits on the
/// network with plaintext in hand. Writes go to SslStream as they come (on Linux it encrypts up to
/// 32 KiB per call, as 16 KiB records); the records are copied into the raw pipe and reach the
/// socket at the channel's flush (<see cref="PipeStream"/>).
/// Completing without an error is the half-close: what is buffered goes out, then the raw
/// connection's write side is closed (TCP FIN); no close_notify (see <see cref="CompleteWritesAsync"/>).
/// </remarks>
internal sealed class TlsRecordStream(SslStream ssl, PipeStream transport, PipeWriter raw, TransportMemory? memory) : IRecordStream
{
    /// <inheritdoc/>
    public TransportMemory? Memory => memory;

    /// <summary>The most plaintext in one TLS record (RFC 8446 §5.1).</summary>
    public const int MaxRecordPlaintext = 16 * 1024;

    /// <summary>
    /// Four records' plaintext: what a chunk holds at most. It is rented only once a record has
    /// arrived (<see cref="WaitForDataAsync"/>), so an idle connection end holds none.
    /// </summary>
    public int ReadChunkSize => 4 * MaxRecordPlaintext;

    /// <inheritdoc/>
    /// <exception cref="WireProtocolViolationException">A record failed authentication or was malformed.</exception>
    public ValueTask WaitForDataAsync(CancellationToken cancellationToken)
    {
        // A busy connection has the next record in the raw pipe already: the read will not wait,
        // so there is nothing to wait for (and no pass through SslStream's read for it).
        if (transport.HasWholeRecord())
        {
            return default;
        }

        // A zero-byte read: SslStream waits for a whole record and decrypts it into its own
        // buffer, and returns 0 without copying anything out.
        var read = ssl.ReadAsync(Memory<byte>.Empty, cancellationToken);
        return read.IsCompletedSuccessfully ? default : AwaitAsync(read);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitAsync(ValueTask<int> read) => await ObserveAsync(read).ConfigureAwait(false);

    /// <inheritdoc/>
    /// <exception cref="WireProtocolViolationException">A record failed authentication or was malformed, or the connection ended inside one.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var first = ssl.ReadAsync(buffer, cancellationToken);
        if (!first.IsCompletedSuccessfully)
        {
            return ReadMoreAsync(ObserveAsync(first), buffer, cancellationToken);
        }

        int read = first.Result;
        return WholeRecordWaits(read, buffer.Length - read) ? ReadMoreAsync(new ValueTask<int>(read), buffer, cancellationToken) : new ValueTask<int>(read);
    }

    /// <summary>
    /// Whether to read on into the same chunk: the last read ended on a full record (16 KiB of
    /// plaintext), the chunk has room for another, and the raw pipe holds a whole record (so the
    /// read does not wait on the network with plaintext in hand).
    /// </summary>
    /// <remarks>
    /// A shorter record ends the chunk: the record layer cuts every write into full records and
    /// one shorter last one, so a chunk ends where a write of the sender ended. A sender that
    /// writes one muxer frame at a time (as the secure channel does) then has each bulk frame
    /// arrive as one chunk, which the muxer takes over as the stream's buffer instead of copying
    /// its payload out (YamuxReader's adoption); a chunk that ran on into the next frame would
    /// split that frame, and every frame after it, across chunks.
    /// </remarks>
    /// <param name="read">What the last read returned (0: the end, read no further).</param>
    /// <param name="room">What is left of the chunk.</param>
    private bool WholeRecordWaits(int read, int room) =>
        read != 0 && read % MaxRecordPlaintext == 0 && room >= MaxRecordPlaintext && transport.HasWholeRecord();

    /// <summary>The rest of <see cref="ReadAsync"/>: the first read, then more while <see cref="WholeRecordWaits"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadMoreAsync(ValueTask<int> first, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int total = await first.ConfigureAwait(false);
        int read = total;
        while (WholeRecordWaits(read, buffer.Length - total))
        {
            read = await ObserveAsync(ssl.ReadAsync(buffer[total..], cancellationToken)).ConfigureAwait(false);
            total += read;
        }

        return total;
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
