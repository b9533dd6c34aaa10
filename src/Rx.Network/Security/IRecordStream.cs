using Rx.Network.Resources;

namespace Rx.Network.Security;

/// <summary>
/// A secured connection's plaintext as a stream whose record layer frames and encrypts by itself
/// (<see cref="System.Net.Security.SslStream"/> for TLS), for <see cref="SecureChannel"/> to run
/// on instead of a pipe and a <see cref="IFrameCodec"/>: the receive loop reads plaintext straight
/// into the pooled chunks the muxer consumes, and the seal stage writes chunks (or its coalesced
/// staging buffer) in one call each, so no pipe segment sits between the record layer and the
/// Dataflow blocks.
/// </summary>
/// <remarks>
/// The channel calls the read members from its one receive loop and the write members from its
/// seal stage, whose bursts run one task at a time (<see cref="SealBlock"/>), so at most one read
/// and one write are ever in flight: what SslStream allows.
/// </remarks>
internal interface IRecordStream
{
    /// <summary>The size of the chunk each read fills at most.</summary>
    int ReadChunkSize { get; }

    /// <summary>The connection's transport buffers, which the channel counts its chunks in too; null when they are not counted.</summary>
    TransportMemory? Memory { get; }

    /// <summary>
    /// Waits until plaintext can be read (or the connection ended, or failed), without taking
    /// any: the channel rents its chunk only then, so an idle connection holds none.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait (the channel only cancels when it is aborted).</param>
    /// <exception cref="IOException">The connection failed, or a record failed authentication.</exception>
    ValueTask WaitForDataAsync(CancellationToken cancellationToken);

    /// <summary>Reads plaintext into <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Where the plaintext goes.</param>
    /// <param name="cancellationToken">Cancels the read (the channel only cancels when it is aborted).</param>
    /// <returns>The bytes read; 0 at the end of the connection.</returns>
    /// <exception cref="IOException">The connection failed, or a record failed authentication.</exception>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Protects and queues <paramref name="plaintext"/>; it reaches the socket at the next flush at the latest.</summary>
    /// <param name="plaintext">Any number of bytes; the record layer splits them into records.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="IOException">The connection can no longer be written to.</exception>
    ValueTask WriteAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken);

    /// <summary>Sends what is queued, waiting while the connection's send buffer is full (the backpressure).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="IOException">The connection can no longer be written to.</exception>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Ends our direction: without <paramref name="error"/>, what is queued goes out and then the
    /// connection's write side closes (the half-close); with one, the connection is abandoned.
    /// </summary>
    /// <param name="error">Why the channel ended, or <see langword="null"/> for a graceful end.</param>
    ValueTask CompleteWritesAsync(Exception? error);
}
