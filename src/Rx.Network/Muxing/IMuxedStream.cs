using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Muxing;

/// <summary>
/// One stream of a muxer session, before any protocol is negotiated on it: the contract every
/// muxer (yamux, the mock network's in-memory streams) meets, checked by one conformance suite.
/// </summary>
internal interface IMuxedStream : IByteDuplex, IAsyncDisposable
{
    /// <summary>The muxer's id of the stream.</summary>
    uint StreamId { get; }

    /// <summary>Whether we opened it.</summary>
    bool IsOutbound { get; }

    /// <summary>Completes when both directions have ended; faults with <see cref="StreamResetException"/> on a reset.</summary>
    Task Completion { get; }

    /// <summary>Half-closes our direction.</summary>
    ValueTask CloseWriteAsync(CancellationToken cancellationToken = default);

    /// <summary>Resets both directions; idempotent.</summary>
    void Reset();

    /// <summary>Resets both directions with an error code for the peer (when the muxer carries one); idempotent.</summary>
    /// <param name="code">The code, e.g. <see cref="ResourceLimitExceededException.StreamResetCode"/>.</param>
    void Reset(uint code) => Reset();

    /// <summary>The stream's reservations in the resource manager; null when the muxer reserves nothing.</summary>
    StreamScope? Resources => null;
}
