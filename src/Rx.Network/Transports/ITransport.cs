using Rx.Network.Addressing;

namespace Rx.Network.Transports;

/// <summary>
/// Dials and listens on one kind of address (the seed's transport; go-libp2p's
/// <c>core/transport.Transport</c>). The swarm picks the transport whose <see cref="CanDial"/> or
/// <see cref="CanListen"/> accepts an address.
/// </summary>
internal interface ITransport
{
    /// <summary>Whether <see cref="DialAsync"/> accepts <paramref name="address"/> (its shape, not whether anything listens there).</summary>
    bool CanDial(Multiaddr address);

    /// <summary>Whether <see cref="ListenAsync"/> accepts <paramref name="address"/>.</summary>
    bool CanListen(Multiaddr address);

    /// <summary>Opens a raw connection to <paramref name="address"/>.</summary>
    /// <exception cref="ArgumentException">The transport cannot dial the address (see <see cref="CanDial"/>).</exception>
    /// <exception cref="TransportException">The dial failed or timed out.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    Task<IRawConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken = default);

    /// <summary>Starts listening on <paramref name="address"/>.</summary>
    /// <exception cref="ArgumentException">The transport cannot listen on the address (see <see cref="CanListen"/>).</exception>
    /// <exception cref="TransportException">Binding failed (for example, the port is in use).</exception>
    Task<IRawListener> ListenAsync(Multiaddr address, CancellationToken cancellationToken = default);
}
