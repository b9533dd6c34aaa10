using System.Threading.Tasks.Dataflow;

namespace Rx.Network.Muxing;

/// <summary>
/// A muxer running over one secured channel: opens and accepts <see cref="IMuxedStream"/>s.
/// The contract every muxer meets, checked by one conformance suite.
/// </summary>
internal interface IMuxerSession
{
    /// <summary>The muxer protocol id, e.g. <c>/yamux/1.0.0</c>.</summary>
    string Protocol { get; }

    /// <summary>Streams open right now.</summary>
    int StreamCount { get; }

    /// <summary>Completes when the session has ended (cleanly, or faulted with why).</summary>
    Task Completion { get; }

    /// <summary>
    /// Whether <see cref="OpenStreamAsync"/> may still succeed: <see langword="false"/> once the
    /// session is closing or ended, or the remote said it takes no new streams (yamux GoAway) while
    /// the open ones finish.
    /// </summary>
    bool CanOpenStreams { get; }

    /// <summary>
    /// The decoded frames of the session as a Dataflow source (<see cref="IConnection.Frames"/>);
    /// <see langword="null"/> for a muxer that offers no trace.
    /// </summary>
    ISourceBlock<TracedFrame>? Frames => null;

    /// <summary>Opens an outbound stream.</summary>
    /// <exception cref="IOException">The session is closing or failed.</exception>
    Task<IMuxedStream> OpenStreamAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits for the next inbound stream; <see langword="null"/> once the session no longer accepts streams.</summary>
    ValueTask<IMuxedStream?> AcceptStreamAsync(CancellationToken cancellationToken = default);

    /// <summary>Measures a round trip to the remote, when the muxer can.</summary>
    /// <exception cref="NotSupportedException">The muxer has no ping.</exception>
    Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Closes gracefully (GoAway for yamux): no new streams; open ones get a bounded time.</summary>
    Task CloseAsync(CancellationToken cancellationToken = default);

    /// <summary>Tears down at once; every stream fails with <paramref name="reason"/>.</summary>
    void Abort(Exception reason);
}
