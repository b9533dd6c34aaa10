namespace Rx.Network.Transports;

/// <summary>
/// Two directions of bytes read and written with awaitable calls: what <see cref="DuplexStream"/>
/// adapts to a <see cref="Stream"/>. A muxed stream, a network stream and a secured channel during
/// the muxer's negotiation all are one.
/// </summary>
internal interface IByteDuplex
{
    /// <summary>Reads at most <paramref name="buffer"/>'s length of the next bytes; 0 at the end.</summary>
    /// <param name="buffer">Where to put them.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The count read.</returns>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Writes every byte of <paramref name="buffer"/>, waiting for room as needed.</summary>
    /// <param name="buffer">The bytes; reusable once the task completes.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes once the bytes were accepted.</returns>
    ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);
}
