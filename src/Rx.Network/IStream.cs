using System.IO.Pipelines;

namespace Rx.Network;

/// <summary>
/// One multiplexed stream of a connection, speaking one protocol (the seed's <c>Stream</c>).
/// </summary>
/// <remarks>
/// <para>A stream is two independent directions. <see cref="CloseWriteAsync"/> ends ours (the
/// remote reads end-of-stream) while we keep reading theirs; after the remote's half-close,
/// <see cref="ReadAsync"/> returns 0 once the buffered bytes are drained, and writing still works.
/// <see cref="Reset"/> abandons both directions at once; the remote sees a
/// <see cref="StreamResetException"/>.</para>
/// <para>Flow control is end to end: a write completes once the bytes are accepted into the
/// connection's bounded pipeline, and waits while the remote's receive window is full. An
/// accepted write is either delivered or a later operation (or <see cref="Completion"/>) fails.</para>
/// <para>Read from a stream in one way at a time: <see cref="ReadAsync"/>, <see cref="AsStream"/>,
/// <see cref="AsPipe"/> or <see cref="Incoming"/>.</para>
/// <para><see cref="IAsyncDisposable.DisposeAsync"/> closes <b>gracefully</b>, never as a reset
/// when nothing else is going on: it half-closes our direction (the remote reads end-of-stream
/// after every byte an earlier write had accepted), stops reading (bytes not yet read, and any that
/// still arrive, are dropped and their window is returned) and releases the stream's resources. It
/// does not wait for the remote's half-close and has no deadline of its own to hit: it returns once
/// the close is queued. If a write of ours is still in progress on another thread when it is
/// called, the stream is reset instead (a FIN cannot be ordered after a write that has not been
/// accepted yet); call <see cref="Reset"/> to abandon a stream on purpose. Disposing twice does
/// nothing.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming",
    "CA1711:Identifiers should not have incorrect suffix",
    Justification = "IStream is the seed API's name (Stream), fixed by the design.")]
public interface IStream : IAsyncDisposable
{
    /// <summary>An identifier unique within the connection, for logs.</summary>
    string Id { get; }

    /// <summary>The protocol negotiated for this stream, e.g. <c>/ipfs/ping/1.0.0</c>.</summary>
    string Protocol { get; }

    /// <summary>The connection carrying the stream.</summary>
    IConnection Connection { get; }

    /// <summary>Whether we or the remote opened the stream.</summary>
    Direction Direction { get; }

    /// <summary>
    /// Completes when both directions have ended cleanly; faults with
    /// <see cref="StreamResetException"/> on a reset, or with the connection's failure.
    /// </summary>
    Task Completion { get; }

    /// <summary>
    /// Hot-on-subscribe view of the incoming bytes: subscribing starts reading, each chunk is a
    /// fresh array the subscriber owns, the sequence completes on the remote's half-close and
    /// errors with <see cref="StreamResetException"/> on a reset. One subscriber at a time;
    /// disposing the subscription stops reading (the stream stays open).
    /// </summary>
    IObservable<ReadOnlyMemory<byte>> Incoming { get; }

    /// <summary>Reads the next bytes the remote sent.</summary>
    /// <param name="buffer">Where to put them.</param>
    /// <param name="cancellationToken">Cancels the wait (the stream stays usable).</param>
    /// <returns>The count read; 0 once the remote has half-closed and everything was read.</returns>
    /// <exception cref="StreamResetException">The stream was reset, by either side.</exception>
    /// <exception cref="IOException">The connection failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Writes bytes to the remote, waiting for flow-control credit as needed.</summary>
    /// <param name="buffer">The bytes; they may be reused once the task completes.</param>
    /// <param name="cancellationToken">Cancels the wait; bytes already accepted are still sent.</param>
    /// <returns>A task that completes when every byte was accepted by the connection.</returns>
    /// <exception cref="StreamResetException">The stream was reset, by either side.</exception>
    /// <exception cref="InvalidOperationException">Our side was already half-closed.</exception>
    /// <exception cref="IOException">The connection failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Half-closes: tells the remote we will write no more. Reading continues.</summary>
    /// <param name="cancellationToken">Cancels the wait for earlier writes to be accepted.</param>
    /// <returns>A task that completes once the close was sent after every earlier write.</returns>
    /// <exception cref="StreamResetException">The stream was reset.</exception>
    ValueTask CloseWriteAsync(CancellationToken cancellationToken = default);

    /// <summary>Abandons the stream in both directions; the remote sees a reset. Idempotent.</summary>
    void Reset();

    /// <summary>
    /// A <see cref="System.IO.Stream"/> over this stream, for APIs that want one. Its bytes count in
    /// the network's metrics like direct reads and writes. Disposing it disposes this stream:
    /// <see cref="System.IO.Stream.DisposeAsync"/> awaits the graceful close, while the synchronous
    /// <see cref="System.IO.Stream.Dispose()"/> only starts it and never blocks on the network (the
    /// close has a deadline of its own, after which the stream is reset).
    /// </summary>
    /// <returns>The adapter.</returns>
    Stream AsStream();

    /// <summary>
    /// An <see cref="IDuplexPipe"/> over this stream, for System.IO.Pipelines code (parsers over
    /// <see cref="System.Buffers.ReadOnlySequence{T}"/>, Kestrel-style protocol handlers). Its
    /// bytes count in the network's metrics like direct reads and writes.
    /// </summary>
    /// <remarks>
    /// <para>Bounded: each direction buffers at most 64 KiB between the application and the stream.
    /// When the application does not read <see cref="IDuplexPipe.Input"/>, the stream stops reading
    /// and flow control pauses the remote; when the remote does not read,
    /// <see cref="PipeWriter.FlushAsync"/> on <see cref="IDuplexPipe.Output"/> waits.</para>
    /// <para>Completion maps onto the stream: the remote's half-close completes
    /// <see cref="IDuplexPipe.Input"/> after its last byte; a reset (either side) or a failed
    /// connection makes <see cref="PipeReader.ReadAsync"/> and the next
    /// <see cref="PipeWriter.FlushAsync"/> throw the stream's exception
    /// (<see cref="StreamResetException"/>, <see cref="IOException"/>).
    /// <see cref="PipeWriter.Complete"/> half-closes the stream after every written byte, and with
    /// an exception resets it; <see cref="PipeReader.Complete"/> stops reading, and with an
    /// exception resets the stream. When both are complete the stream is disposed (gracefully).
    /// Disposing the stream while the pipe is its view (a stream handler returning, say) completes
    /// both for the application: bytes already written to <see cref="IDuplexPipe.Output"/> still
    /// go out before the FIN, and the pipe then disposes the stream.</para>
    /// <para>Use one view of a stream at a time: the pipe reads from the stream as soon as it is
    /// created.</para>
    /// </remarks>
    /// <returns>The pipe.</returns>
    IDuplexPipe AsPipe();
}
