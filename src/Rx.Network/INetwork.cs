using System.Reactive.Concurrency;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Reactive;
using Rx.Network.Resources;

namespace Rx.Network;

/// <summary>
/// A peer-to-peer network node (the seed's <c>Network</c>): listens, dials, keeps connections per
/// peer, routes incoming streams to protocol handlers, and publishes everything that happens as
/// observable sequences.
/// </summary>
public interface INetwork : IDialer, IAsyncDisposable
{
    /// <summary>The addresses the network listens on (bound ports, not the requested port 0).</summary>
    IReadOnlyList<Multiaddr> ListenAddresses { get; }

    /// <summary>
    /// Hot: every event as it happens (<see cref="ListenStarted"/>, <see cref="Connected"/>, …).
    /// Late subscribers see only later events. Per connection, <see cref="Connected"/> precedes
    /// its <see cref="StreamOpened"/>s and <see cref="Disconnected"/> follows its
    /// <see cref="StreamClosed"/>s. Each subscriber is served from its own bounded queue: a slow
    /// one cannot block the network; one that falls too far behind is ended with
    /// <see cref="EventOverflowException"/>.
    /// </summary>
    IObservable<NetworkEvent> Events { get; }

    /// <summary>Hot: connections as they open, in both directions.</summary>
    IObservable<IConnection> NewConnections { get; }

    /// <summary>
    /// Every peer this node has connected to or tried to, with its <see cref="Network.Connectedness"/>,
    /// connection count and latency: an observable keyed cache (<c>Connect()</c> gives the current
    /// table, then every change).
    /// </summary>
    /// <remarks>
    /// A connected peer's <see cref="PeerStatus.Latency"/> follows the peer store's latency average
    /// (fed by ping) as it changes; a peer without connections keeps the value it had when they
    /// closed. Rows of peers without connections are bounded by
    /// <see cref="NetworkOptions.MaxNotConnectedPeerStatuses"/>: past it the oldest such row is
    /// removed (a <c>Remove</c> change; <see cref="IDialer.Connectedness"/> then answers
    /// <see cref="Network.Connectedness.NotConnected"/>). Completes when the network is disposed.
    /// </remarks>
    IObservableCache<PeerId, PeerStatus> PeerStatuses { get; }

    /// <summary>
    /// The node's resource manager: the scoped budgets of memory, streams and connections every
    /// connection and stream reserves in (see <see cref="IResourceManager"/> and
    /// <see cref="NetworkOptions.Resources"/>), with the scopes' usage and limits as an observable
    /// keyed cache (<see cref="IResourceManager.Scopes"/>). Refusals are published as
    /// <see cref="ResourceLimitReached"/> events.
    /// </summary>
    IResourceManager Resources { get; }

    /// <summary>
    /// The network's clock: every timeout, backoff, lifetime and RTT of the network and of the
    /// services on it (ping, identify, request/reply) is measured with it. <see cref="NetworkOptions.TimeProvider"/>
    /// on a built network; the mock network's virtual clock on a mock peer.
    /// </summary>
    TimeProvider TimeProvider { get; }

    /// <summary>
    /// The scheduler the network runs its own work on, for services built on the network:
    /// <c>Schedule(action)</c> runs the action off the caller's stack where the network runs its
    /// work (the thread pool on a built network; the virtual-time driver, in order, on a mock peer),
    /// and timed overloads run on <see cref="TimeProvider"/>'s clock. A service whose waits resume
    /// here runs in the mock network's virtual time exactly as it runs over TCP.
    /// </summary>
    IScheduler Scheduler { get; }

    /// <summary>
    /// The public key of the network's identity (<see cref="IDialer.LocalPeer"/> is derived from it):
    /// what identify sends to remotes. A decorator of <see cref="INetwork"/> passes it through, so a
    /// service built on the decorator announces the same key.
    /// </summary>
    PublicKey LocalPublicKey { get; }

    /// <summary>
    /// The protocols the network serves (those with a stream handler or a <see cref="Streams"/>
    /// subscriber), as a sequence: the current set on subscription, then the set after each change
    /// (a handler set or removed, a first subscriber or a last one gone). Identify announces these
    /// and pushes their changes to connected peers. Does not complete: dispose the subscription.
    /// </summary>
    IObservable<IReadOnlyCollection<string>> LocalProtocols { get; }

    /// <summary>Completes once the network has shut down (the seed's <c>Process()</c>).</summary>
    Task Completion { get; }

    /// <summary>
    /// Registers <paramref name="handler"/> for inbound streams of <paramref name="protocol"/>,
    /// replacing an earlier one. The handler owns the stream: when it returns, the stream is
    /// disposed; when it throws, the stream is reset. A handler that needs to know when the
    /// network shuts down takes the overload with a <see cref="CancellationToken"/>.
    /// </summary>
    /// <param name="protocol">The protocol id, e.g. <c>/echo/1.0.0</c>.</param>
    /// <param name="handler">Called for each stream, off the network's threads.</param>
    /// <returns>Dispose to remove the handler (if it is still the registered one).</returns>
    /// <exception cref="ArgumentException"><paramref name="protocol"/> is empty or too long.</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    IDisposable SetStreamHandler(string protocol, Func<IStream, Task> handler);

    /// <summary>
    /// Registers <paramref name="handler"/> for inbound streams of <paramref name="protocol"/>,
    /// replacing an earlier one, and hands it a token that is cancelled when the network starts
    /// shutting down (<see cref="IAsyncDisposable.DisposeAsync"/>): pass it to the handler's own
    /// waits so that a long-running handler ends promptly instead of holding the shutdown until
    /// <see cref="NetworkOptions.ShutdownTimeout"/>. The handler owns the stream: when it returns,
    /// the stream is disposed; when it throws (a cancellation included), the stream is reset.
    /// </summary>
    /// <param name="protocol">The protocol id, e.g. <c>/echo/1.0.0</c>.</param>
    /// <param name="handler">Called for each stream, off the network's threads, with the shutdown token.</param>
    /// <returns>Dispose to remove the handler (if it is still the registered one).</returns>
    /// <exception cref="ArgumentException"><paramref name="protocol"/> is empty or too long.</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    IDisposable SetStreamHandler(string protocol, Func<IStream, CancellationToken, Task> handler);

    /// <summary>
    /// Registers a callback for every new connection (both directions), replacing an earlier one.
    /// </summary>
    /// <param name="handler">Called once per connection after <see cref="Connected"/>; exceptions are logged.</param>
    /// <returns>Dispose to remove the handler (if it is still the registered one).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null (dispose the registration to remove a handler).</exception>
    IDisposable SetConnectionHandler(Action<IConnection> handler);

    /// <summary>
    /// Registers a callback for every new connection (both directions), replacing an earlier one,
    /// with a token cancelled when the network starts shutting down, for work the callback starts
    /// (a per-connection loop, a timer) to end with the network.
    /// </summary>
    /// <param name="handler">Called once per connection after <see cref="Connected"/>, with the shutdown token; exceptions are logged.</param>
    /// <returns>Dispose to remove the handler (if it is still the registered one).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    IDisposable SetConnectionHandler(Action<IConnection, CancellationToken> handler);

    /// <summary>
    /// Hot: inbound streams of <paramref name="protocol"/>, as an observable. While at least one
    /// subscriber exists the protocol is served; streams no handler or subscriber takes are reset.
    /// </summary>
    /// <param name="protocol">The protocol id.</param>
    /// <returns>The streams; subscribers own the streams they receive.</returns>
    /// <exception cref="ArgumentException"><paramref name="protocol"/> is empty or too long.</exception>
    IObservable<IStream> Streams(string protocol);

    /// <summary>Opens a stream to <paramref name="peer"/> (dialing if needed) for the first supported of <paramref name="protocols"/>.</summary>
    /// <param name="peer">The peer.</param>
    /// <param name="protocols">Protocol ids in order of preference.</param>
    /// <param name="cancellationToken">Cancels dialing and negotiation.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="ArgumentException"><paramref name="protocols"/> is empty.</exception>
    /// <exception cref="DialException">The peer could not be reached.</exception>
    /// <exception cref="NegotiationException">The peer supports none of the protocols.</exception>
    Task<IStream> NewStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken = default);

    /// <summary>Starts listening on each address.</summary>
    /// <param name="addresses">The addresses (port 0 picks a free port).</param>
    /// <param name="cancellationToken">Cancels binding.</param>
    /// <returns>A task that completes once every address is bound.</returns>
    /// <exception cref="ArgumentException">No transport can listen on an address.</exception>
    /// <exception cref="IOException">Binding failed.</exception>
    Task ListenAsync(IEnumerable<Multiaddr> addresses, CancellationToken cancellationToken = default);

    /// <summary>
    /// The listen addresses with unspecified hosts (<c>0.0.0.0</c>, <c>::</c>) expanded to this
    /// machine's interface addresses.
    /// </summary>
    /// <returns>The addresses.</returns>
    IReadOnlyList<Multiaddr> InterfaceListenAddresses();
}
