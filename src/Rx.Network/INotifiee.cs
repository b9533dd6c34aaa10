using Rx.Network.Addressing;

namespace Rx.Network;

/// <summary>
/// Receives a network's events as calls (the seed's <c>Notifiee</c>); register with
/// <see cref="IDialer.Notify"/> and dispose the registration to stop. Every member has an empty
/// default, so implement only what you need. The same events are on <see cref="INetwork.Events"/>.
/// </summary>
/// <remarks>
/// Calls arrive in event order, one at a time, off the network's own threads: a slow notifiee
/// delays only itself, and one that throws is detached (its exception is logged), never breaking
/// the network. A notifiee that falls more than <see cref="NetworkOptions.EventQueueCapacity"/>
/// events behind is detached too, never silently: the network logs a warning with an
/// <see cref="EventOverflowException"/> and publishes a <see cref="NotifieeOverflowed"/> event at
/// that moment.
/// </remarks>
public interface INotifiee
{
    /// <summary>The network started listening on <paramref name="address"/>.</summary>
    /// <param name="network">The network.</param>
    /// <param name="address">The address.</param>
    void Listen(INetwork network, Multiaddr address)
    {
    }

    /// <summary>The network stopped listening on <paramref name="address"/>.</summary>
    /// <param name="network">The network.</param>
    /// <param name="address">The address.</param>
    void ListenClose(INetwork network, Multiaddr address)
    {
    }

    /// <summary>A connection opened.</summary>
    /// <param name="network">The network.</param>
    /// <param name="connection">The connection.</param>
    void Connected(INetwork network, IConnection connection)
    {
    }

    /// <summary>A connection closed.</summary>
    /// <param name="network">The network.</param>
    /// <param name="connection">The connection.</param>
    void Disconnected(INetwork network, IConnection connection)
    {
    }

    /// <summary>A stream opened.</summary>
    /// <param name="network">The network.</param>
    /// <param name="stream">The stream.</param>
    void OpenedStream(INetwork network, IStream stream)
    {
    }

    /// <summary>A stream closed.</summary>
    /// <param name="network">The network.</param>
    /// <param name="stream">The stream.</param>
    void ClosedStream(INetwork network, IStream stream)
    {
    }
}
