using Rx.Network.Addressing;

namespace Rx.Network.Transports;

/// <summary>A transport listener: accepts raw connections on one local address until disposed.</summary>
internal interface IRawListener : IAsyncDisposable
{
    /// <summary>The address actually listened on (a requested port 0 replaced by the bound port).</summary>
    Multiaddr LocalAddress { get; }

    /// <summary>Waits for the next incoming connection.</summary>
    /// <param name="cancellationToken">Cancels the wait (the listener stays open).</param>
    /// <returns>The connection, or <see langword="null"/> once the listener is disposed.</returns>
    /// <exception cref="TransportException">Accepting failed for a reason other than the listener closing.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    ValueTask<IRawConnection?> AcceptAsync(CancellationToken cancellationToken = default);
}
