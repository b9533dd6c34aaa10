using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Mock.Transport;
using Rx.Network.Transports;

namespace Rx.Network.Mock;

public sealed partial class MockNetwork
{
    private readonly Dictionary<string, MockListener> listeners = new(StringComparer.Ordinal);

    /// <summary>Starts <paramref name="peer"/> listening on a <c>/memory/…</c> address.</summary>
    /// <exception cref="TransportException">Another listener has the address.</exception>
    internal MockListener Listen(MockPeer peer, Multiaddr address)
    {
        string name = address.Components[0].Value ?? string.Empty;
        var listener = new MockListener(peer, address, Unlisten);
        lock (gate)
        {
            if (!listeners.TryAdd(name, listener))
            {
                throw new TransportException(address, SocketError.AddressAlreadyInUse, $"Something already listens on {address}.");
            }
        }

        return listener;
    }

    /// <summary>Dials a <c>/memory/…</c> address from <paramref name="from"/>: succeeds only across a link that is up.</summary>
    /// <exception cref="TransportException">Nothing listens there, there is no link, or it is down.</exception>
    internal Task<IRawConnection> DialAsync(MockPeer from, Multiaddr address, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string name = address.Components[0].Value ?? string.Empty;
        MockListener? listener;
        lock (gate)
        {
            listeners.TryGetValue(name, out listener);
        }

        if (listener is null || ReferenceEquals(listener.Owner, from))
        {
            throw new TransportException(address, SocketError.ConnectionRefused, $"Nothing listens on {address}.");
        }

        var link = FindLink(from, listener.Owner)
            ?? throw new TransportException(address, SocketError.ConnectionRefused, $"There is no link between {from.Id} and {listener.Owner.Id}.");
        return link.ConnectAsync(from, listener, cancellationToken);
    }

    private void Unlisten(MockListener listener)
    {
        lock (gate)
        {
            string name = listener.LocalAddress.Components[0].Value ?? string.Empty;
            if (listeners.TryGetValue(name, out var current) && ReferenceEquals(current, listener))
            {
                listeners.Remove(name);
            }
        }
    }
}
