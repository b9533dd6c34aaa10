using System.Reactive.Linq;
using System.Threading.Tasks.Dataflow;

namespace Rx.Network;

/// <summary>The frame trace of a connection as an observable sequence (see <see cref="IConnection.Frames"/>).</summary>
public static class ConnectionTraceExtensions
{
    /// <summary>Frames an observer of <see cref="TraceFrames"/> may fall behind by default.</summary>
    public const int DefaultTraceCapacity = 1024;

    /// <summary>
    /// Traces the yamux frames of <paramref name="connection"/>, decoded after decryption: each
    /// subscription links a bounded Dataflow block to <see cref="IConnection.Frames"/> and pushes
    /// every frame received and sent (direction, type, flags, stream id, length, timestamp) to its
    /// observer; disposing the subscription unlinks the block.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="capacity">How many frames the observer may fall behind; 1,024 by default.</param>
    /// <returns>
    /// A cold sequence: nothing is traced until a subscription, and each subscription sees the
    /// frames from its start on. It completes when the connection's muxer session ends cleanly and
    /// errors with the session's failure when it ends on one.
    /// </returns>
    /// <remarks>
    /// <para>The observer never holds up the connection: frames wait for it in a queue of
    /// <paramref name="capacity"/>; when one arrives with the queue full, the subscription ends
    /// with <see cref="EventOverflowException"/> (whose <see cref="EventOverflowException.Capacity"/>
    /// is <paramref name="capacity"/>) after the observer got the frames queued before it, so a
    /// trace never has a silent gap. An observer whose <c>OnNext</c> throws is unsubscribed and
    /// gets no further call; the exception is not rethrown (the connection is not its producer in
    /// any sense it could act on).</para>
    /// <para>Calls to the observer come one at a time, off the connection's own threads.</para>
    /// <example>
    /// <code>
    /// using var trace = connection.TraceFrames().Subscribe(frame => Console.WriteLine(frame));
    /// </code>
    /// </example>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    /// <exception cref="NotSupportedException">On subscription: the connection has no yamux frames (see <see cref="IConnection.Frames"/>).</exception>
    public static IObservable<TracedFrame> TraceFrames(this IConnection connection, int capacity = DefaultTraceCapacity)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return Observable.Create<TracedFrame>(observer =>
        {
            var frames = connection.Frames;

            // The session's own source (decorators of IConnection pass it through) names the
            // network's task scheduler; any other source leaves Dataflow's default.
            var sink = new FrameTraceSink(observer, capacity, (frames as Reactive.IRunsOnNetworkTasks)?.Tasks);
            sink.Attach(frames.LinkTo(sink, new DataflowLinkOptions { PropagateCompletion = true }));
            return sink;
        });
    }
}
