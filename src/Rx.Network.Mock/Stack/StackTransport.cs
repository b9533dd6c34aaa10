using Rx.Network.Addressing;
using Rx.Network.Transports;

namespace Rx.Network.Mock.Stack;

/// <summary>The transport of a real-stack mock peer: <c>/memory/&lt;peer id&gt;</c> addresses over mock links.</summary>
internal sealed class StackTransport(RealStackPeer peer) : ITransport
{
    public static bool IsMemoryAddress(Multiaddr address) =>
        address.Components.Count == 1 && address.Components[0].Protocol.Code == MultiaddrProtocol.Memory.Code;

    public bool CanDial(Multiaddr address) => IsMemoryAddress(address);

    public bool CanListen(Multiaddr address) => IsMemoryAddress(address);

    public Task<IRawConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        if (!CanDial(address))
        {
            throw new ArgumentException($"The mock transport dials only /memory/<peer id> addresses, not {address}.", nameof(address));
        }

        return peer.DialAsync(address, cancellationToken);
    }

    public Task<IRawListener> ListenAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        if (!CanListen(address))
        {
            throw new ArgumentException($"The mock transport listens only on /memory/<peer id> addresses, not {address}.", nameof(address));
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IRawListener>(peer.Listen(address));
    }
}
