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
