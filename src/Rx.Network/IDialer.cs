using Rx.Network.Identity;
using Rx.Network.Peerstore;

namespace Rx.Network;

/// <summary>The part of a network that connects to peers (the seed's <c>Dialer</c>).</summary>
public interface IDialer
{
    /// <summary>What this node knows about other peers: addresses, keys, protocols, latency.</summary>
    IPeerstore Peerstore { get; }

    /// <summary>This node's peer ID.</summary>
    PeerId LocalPeer { get; }

    /// <summary>The peers with at least one open connection.</summary>
    IReadOnlyList<PeerId> Peers { get; }

    /// <summary>Every open connection.</summary>
    IReadOnlyList<IConnection> Connections { get; }

    /// <summary>
    /// Returns a connection to <paramref name="peer"/>: an open one if there is one, else dials its
    /// known addresses. Concurrent calls for one peer share one attempt.
    /// </summary>
    /// <param name="peer">The peer.</param>
    /// <param name="cancellationToken">Cancels this caller's wait (a shared attempt goes on for the others).</param>
    /// <returns>The connection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="peer"/> is this node.</exception>
    /// <exception cref="DialException">No address worked, the peer is in dial backoff, or it has no known address.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The network was disposed.</exception>
    Task<IConnection> DialPeerAsync(PeerId peer, CancellationToken cancellationToken = default);

    /// <summary>Closes every connection to <paramref name="peer"/> gracefully.</summary>
    /// <param name="peer">The peer.</param>
    /// <param name="cancellationToken">Ends the graceful wait early.</param>
    /// <returns>A task that completes once the connections are closed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    Task ClosePeerAsync(PeerId peer, CancellationToken cancellationToken = default);

    /// <summary>How reachable <paramref name="peer"/> is right now.</summary>
    /// <param name="peer">The peer.</param>
    /// <returns>The state; <see cref="Network.Connectedness.NotConnected"/> for unknown peers.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    Connectedness Connectedness(PeerId peer);

    /// <summary>The open connections to <paramref name="peer"/>.</summary>
    /// <param name="peer">The peer.</param>
    /// <returns>The connections, possibly none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    IReadOnlyList<IConnection> ConnectionsToPeer(PeerId peer);

    /// <summary>Delivers the network's events to <paramref name="notifiee"/> until the result is disposed.</summary>
    /// <param name="notifiee">The receiver.</param>
    /// <returns>Dispose to stop (the seed's <c>StopNotify</c>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="notifiee"/> is null.</exception>
    IDisposable Notify(INotifiee notifiee);
}
