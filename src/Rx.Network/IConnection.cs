using System.Threading.Tasks.Dataflow;
using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network;

/// <summary>
/// A secured, multiplexed connection to one peer (the seed's <c>Conn</c>): many streams over one
/// transport connection.
/// </summary>
public interface IConnection : IAsyncDisposable
{
    /// <summary>An identifier unique within this process, for logs.</summary>
    string Id { get; }

    /// <summary>Our peer ID.</summary>
    PeerId LocalPeer { get; }

    /// <summary>The remote's peer ID, authenticated by the security handshake.</summary>
    PeerId RemotePeer { get; }

    /// <summary>The remote's identity key, authenticated by the security handshake.</summary>
    PublicKey RemotePublicKey { get; }

    /// <summary>Our end's transport address.</summary>
    Multiaddr LocalAddress { get; }

    /// <summary>The remote end's transport address.</summary>
    Multiaddr RemoteAddress { get; }

    /// <summary>Whether we dialed (outbound) or accepted (inbound).</summary>
    Direction Direction { get; }

    /// <summary>The security protocol, e.g. <c>/noise</c>.</summary>
    string Security { get; }

    /// <summary>The stream muxer, e.g. <c>/yamux/1.0.0</c>.</summary>
    string Muxer { get; }

    /// <summary>When the connection finished its upgrade, from the network's time provider.</summary>
    DateTimeOffset Opened { get; }

    /// <summary>The streams open right now.</summary>
    IReadOnlyCollection<IStream> Streams { get; }

    /// <summary>
    /// Completes when the connection has closed: normally after <see cref="CloseAsync"/> or the
    /// remote's graceful close, faulted when it failed (with a typed exception saying why).
    /// </summary>
    Task Completion { get; }

    /// <summary>
    /// Hot: inbound streams whose protocol was negotiated against the handlers of the network,
    /// as they open. Late subscribers do not see earlier streams.
    /// </summary>
    IObservable<IStream> IncomingStreams { get; }

    /// <summary>
    /// The connection's frame trace, and the point where a block of your own links into its
    /// pipeline: a Dataflow source of every yamux frame received and sent (direction, type,
    /// flags, stream id, length, time), decoded after decryption. Link a block to it
    /// (<c>connection.Frames.LinkTo(block)</c>; dispose the link to unlink), or observe it with
    /// <see cref="ConnectionTraceExtensions.TraceFrames"/>.
    /// </summary>
    /// <remarks>
    /// <para>Opt-in and free when unused: the frames are published only while a block is linked;
    /// with none, the byte path does one field read per frame and nothing else.</para>
    /// <para>It never slows the connection: a frame is offered to each linked block once and
    /// never kept for it, so a block that is full (bounded and behind), postponing or declining
    /// misses that frame (one that postpones and later asks for it gets nothing), and a block that
    /// throws is unlinked; the connection never waits for a trace and holds no frame for it. The
    /// offer itself runs on the connection's reader or writer: Dataflow's own blocks only queue
    /// there, and a target of your own should do no more. Received frames are offered in order as
    /// they are decoded, sent frames in order as the session's writer takes them; the two
    /// directions are offered concurrently.</para>
    /// <para>The source completes when the connection's muxer session has ended (faulted when it
    /// ended on an error); links made with <see cref="DataflowLinkOptions.PropagateCompletion"/>
    /// pass that on. A link may also end by <see cref="DataflowLinkOptions.MaxMessages"/>
    /// (frames taken) or when the block declines permanently (completed).</para>
    /// <para>The source only ever offers: consuming a postponed frame and reservations give
    /// nothing.</para>
    /// </remarks>
    /// <exception cref="NotSupportedException">The connection has no yamux frames to trace (for
    /// example a connection of the mock network's fast mode, which models streams without a muxer).</exception>
    ISourceBlock<TracedFrame> Frames =>
        throw new NotSupportedException($"The connection {Id} has no yamux frames to trace.");

    /// <summary>Opens a stream and negotiates the first of <paramref name="protocols"/> the remote supports.</summary>
    /// <param name="protocols">Protocol ids in order of preference.</param>
    /// <param name="cancellationToken">Cancels opening and negotiation.</param>
    /// <returns>The stream, with <see cref="IStream.Protocol"/> set.</returns>
    /// <exception cref="ArgumentException"><paramref name="protocols"/> is empty or holds an empty id.</exception>
    /// <exception cref="NegotiationException">The remote supports none of the protocols.</exception>
    /// <exception cref="IOException">The connection failed or is closing.</exception>
    Task<IStream> NewStreamAsync(IReadOnlyList<string> protocols, CancellationToken cancellationToken = default);

    /// <summary>Closes gracefully: no new streams, open streams are given a bounded time, then the transport closes.</summary>
    /// <param name="cancellationToken">Ends the graceful wait early (the connection still closes).</param>
    /// <returns>A task that completes once the connection is closed.</returns>
    Task CloseAsync(CancellationToken cancellationToken = default);
}
