using System.Reactive.Concurrency;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Reactive;
using Rx.Network.Resources;

namespace Rx.Network.Tests.Protocols;

/// <summary>
/// A user's decorator of <see cref="INetwork"/>: forwards every member to the network it wraps and
/// is not that network's type, so a service built on it can use the public contract only.
/// </summary>
internal sealed class ForwardingNetwork(INetwork inner) : INetwork
{
    public IPeerstore Peerstore => inner.Peerstore;

    public PeerId LocalPeer => inner.LocalPeer;

    public IReadOnlyList<PeerId> Peers => inner.Peers;

    public IReadOnlyList<IConnection> Connections => inner.Connections;

    public IReadOnlyList<Multiaddr> ListenAddresses => inner.ListenAddresses;

    public IObservable<NetworkEvent> Events => inner.Events;

    public IObservable<IConnection> NewConnections => inner.NewConnections;

    public IObservableCache<PeerId, PeerStatus> PeerStatuses => inner.PeerStatuses;

    public IResourceManager Resources => inner.Resources;

    public TimeProvider TimeProvider => inner.TimeProvider;

    public IScheduler Scheduler => inner.Scheduler;

    public PublicKey LocalPublicKey => inner.LocalPublicKey;

    public IObservable<IReadOnlyCollection<string>> LocalProtocols => inner.LocalProtocols;

    public Task Completion => inner.Completion;

    public Task<IConnection> DialPeerAsync(PeerId peer, CancellationToken cancellationToken = default) => inner.DialPeerAsync(peer, cancellationToken);

    public Task ClosePeerAsync(PeerId peer, CancellationToken cancellationToken = default) => inner.ClosePeerAsync(peer, cancellationToken);

    public Connectedness Connectedness(PeerId peer) => inner.Connectedness(peer);

    public IReadOnlyList<IConnection> ConnectionsToPeer(PeerId peer) => inner.ConnectionsToPeer(peer);

    public IDisposable Notify(INotifiee notifiee) => inner.Notify(notifiee);

    public IDisposable SetStreamHandler(string protocol, Func<IStream, Task> handler) => inner.SetStreamHandler(protocol, handler);

    public IDisposable SetStreamHandler(string protocol, Func<IStream, CancellationToken, Task> handler) => inner.SetStreamHandler(protocol, handler);

    public IDisposable SetConnectionHandler(Action<IConnection> handler) => inner.SetConnectionHandler(handler);

    public IDisposable SetConnectionHandler(Action<IConnection, CancellationToken> handler) => inner.SetConnectionHandler(handler);

    public IObservable<IStream> Streams(string protocol) => inner.Streams(protocol);

    public Task<IStream> NewStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken = default) =>
        inner.NewStreamAsync(peer, protocols, cancellationToken);

    public Task ListenAsync(IEnumerable<Multiaddr> addresses, CancellationToken cancellationToken = default) => inner.ListenAsync(addresses, cancellationToken);

    public IReadOnlyList<Multiaddr> InterfaceListenAddresses() => inner.InterfaceListenAddresses();

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
