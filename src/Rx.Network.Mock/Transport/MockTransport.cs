using Rx.Network.Addressing;
using Rx.Network.Transports;

namespace Rx.Network.Mock.Transport;

/// <summary>
/// The transport of one mock peer: dials and listens on <c>/memory/&lt;name&gt;</c> addresses
/// through its <see cref="MockNetwork"/>, where only linked peers reach each other.
/// </summary>
internal sealed class MockTransport : ITransport
{
    private readonly MockNetwork network;
    private readonly MockPeer peer;

    public MockTransport(MockNetwork network, MockPeer peer)
    {
        this.network = network;
        this.peer = peer;
    }

    /// <summary>Whether <paramref name="address"/> is a single <c>/memory/…</c> component.</summary>
    public static bool IsMemoryAddress(Multiaddr address) =>
        address.Components.Count == 1 && address.Components[0].Protocol.Code == MultiaddrProtocol.Memory.Code;

    /// <inheritdoc/>
    public bool CanDial(Multiaddr address) => IsMemoryAddress(address);

    /// <inheritdoc/>
    public bool CanListen(Multiaddr address) => IsMemoryAddress(address);

    /// <inheritdoc/>
    public Task<IRawConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        if (!CanDial(address))
        {
            throw new ArgumentException($"The mock transport dials only /memory/<name> addresses, not {address}.", nameof(address));
        }

        return network.DialAsync(peer, address, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IRawListener> ListenAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        if (!CanListen(address))
        {
            throw new ArgumentException($"The mock transport listens only on /memory/<name> addresses, not {address}.", nameof(address));
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IRawListener>(network.Listen(peer, address));
    }
}
