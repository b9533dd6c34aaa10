using System.Collections.Concurrent;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rx.Network.Addressing;
using Rx.Network.Reactive;

namespace Rx.Network.Protocols;

/// <summary>
/// The libp2p identify protocol
/// (<see href="https://github.com/libp2p/specs/blob/master/identify/README.md">spec</see>): tells
/// peers who we are (keys, versions, listen addresses, protocols, the address we see them at),
/// learns the same about them into the peer store, and keeps them up to date with identify push.
/// </summary>
/// <remarks>
/// <para>While it runs, the service</para>
/// <list type="bullet">
/// <item>serves <c>/ipfs/id/1.0.0</c>: writes one length-prefixed <c>Identify</c> message (more
/// only if ours exceeds <see cref="IdentifyOptions.MaxMessageSize"/>) and closes the stream;</item>
/// <item>identifies every new connection, in both directions, once per connection
/// (js-libp2p accepts one identify stream per connection at a time), and fills the peer store:
/// public key, listen addresses (<see cref="Peerstore.AddressTtl.Connected"/>), protocols and
/// versions;</item>
/// <item>serves <c>/ipfs/id/push/1.0.0</c>, merging the fields a pushed message carries, and pushes
/// to connected peers when our protocols or listen addresses change.</item>
/// </list>
/// <para>A message whose public key is not the connection's authenticated peer is rejected whole.
/// One service runs per network: <see cref="NetworkBuilder"/> starts one by default (see
/// <see cref="NetworkBuilder.WithoutIdentify"/>) and <see cref="Of"/> finds it.</para>
/// </remarks>
public sealed partial class IdentifyService : IDisposable
{
    /// <summary>The identify protocol id.</summary>
    public const string ProtocolId = "/ipfs/id/1.0.0";

    /// <summary>The identify push protocol id.</summary>
    public const string PushProtocolId = "/ipfs/id/push/1.0.0";

    private static readonly ConditionalWeakTable<INetwork, IdentifyService> Running = [];

    private readonly INetwork network;
    private readonly IDisposable protocolsSubscription;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CancellationTokenSource shutdown = new();
    private readonly CancellationToken stopping;
    private readonly ISubject<IdentifyResult> results;
    private readonly Subject<IdentifyResult> resultsSubject = new();
    private readonly ObservableCache<Multiaddr, ObservedAddress> observed = new(o => o.Address);
    private readonly NetworkScheduler scheduler;
    private readonly ConcurrentDictionary<IConnection, SharedOutcome<IdentifyResult>> identified = new(ReferenceEqualityComparer.Instance);
    private readonly IDisposable identifyRegistration;
    private readonly IDisposable pushRegistration;
    private IDisposable? eventsSubscription;
    private IReadOnlyCollection<string>? localProtocols;
    private int disposed;
    private long entriesExamined;

    /// <summary>Runs identify on <paramref name="network"/> until disposed.</summary>
    /// <param name="network">The network.</param>
    /// <param name="options">The settings; <see cref="IdentifyOptions.Default"/> when null.</param>
    /// <param name="time">The clock for timeouts and push delays; the network's when null.</param>
    /// <param name="loggerFactory">Where to log; nowhere when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="InvalidOperationException">An identify service already runs on <paramref name="network"/>.</exception>
    public IdentifyService(INetwork network, IdentifyOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        this.network = network;
        Options = options ?? IdentifyOptions.Default;
        this.time = time ?? network.TimeProvider;
        scheduler = ServiceScheduler.Of(network);
        logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Rx.Network.Identify");
        results = Subject.Synchronize(resultsSubject);
        stopping = shutdown.Token;
        if (!Running.TryAdd(network, this))
        {
            throw new InvalidOperationException("An identify service already runs on this network (NetworkBuilder starts one unless WithoutIdentify() is called).");
        }

        identifyRegistration = network.SetStreamHandler(ProtocolId, ServeIdentifyAsync);
        pushRegistration = network.SetStreamHandler(PushProtocolId, ServePushAsync);
        SubscribeToEvents();
        // The first set arrives now (the protocols served so far, identify's own included); each
        // later one is a change to push.
        protocolsSubscription = network.LocalProtocols.Subscribe(protocols =>
        {
            if (Interlocked.Exchange(ref localProtocols, protocols) is not null)
            {
                SchedulePush();
            }
        });

        if (Options.IdentifyNewConnections)
        {
            // Connections opened before the service started: the event stream will not repeat them.
            foreach (var connection in network.Connections)
            {
                _ = IdentifyInBackgroundAsync(connection);
            }
        }
    }

    /// <summary>The settings.</summary>
    public IdentifyOptions Options { get; }

    /// <summary>
    /// Hot: every successful identification and every accepted push, after the peer store was
    /// updated. Late subscribers see only later results; completes when the service is disposed.
    /// Failures are not published (they are logged, and thrown by <see cref="IdentifyAsync"/>).
    /// </summary>
    public IObservable<IdentifyResult> Results => results.AsObservable();

    /// <summary>
    /// Our own addresses as peers reported them in identify responses (the <c>observedAddr</c>
    /// field), at most <see cref="IdentifyOptions.MaxObservedAddresses"/>, the least recently
    /// reported evicted first: an observable keyed cache (<c>Connect()</c> gives the current set,
    /// then every change).
    /// </summary>
    public IObservableCache<Multiaddr, ObservedAddress> ObservedAddresses => observed;

    /// <summary>The identify service running on <paramref name="network"/>, if any.</summary>
    /// <param name="network">The network.</param>
    /// <returns>The service, or <see langword="null"/> when none runs (e.g. built with <see cref="NetworkBuilder.WithoutIdentify"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    public static IdentifyService? Of(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Running.TryGetValue(network, out var service) ? service : null;
    }

    /// <summary>
    /// Identifies the peer of <paramref name="connection"/>: the result of the identification
    /// already made on that connection, or a new one (one identify stream per connection, as
    /// js-libp2p expects; a failed one is retried).
    /// </summary>
    /// <param name="connection">A connection of this service's network.</param>
    /// <param name="cancellationToken">Cancels this caller's wait (the identification goes on for the others).</param>
    /// <returns>What the peer told us, already stored in the peer store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="connection"/> belongs to another network.</exception>
    /// <exception cref="ObjectDisposedException">The service was disposed.</exception>
    /// <exception cref="MessageTooLargeException">The peer sent a message above <see cref="IdentifyOptions.MaxMessageSize"/>.</exception>
    /// <exception cref="WireProtocolViolationException">
    /// The peer sent no message, a malformed one, or a public key that is not its own (the inner
    /// exception is then a <see cref="PeerIdMismatchException"/>); nothing was stored.
    /// </exception>
    /// <exception cref="NegotiationException">The peer does not serve identify.</exception>
    /// <exception cref="TimeoutException">The peer did not answer within <see cref="IdentifyOptions.Timeout"/>.</exception>
    /// <exception cref="IOException">The stream or the connection failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task<IdentifyResult> IdentifyAsync(IConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.LocalPeer != network.LocalPeer)
        {
            throw new ArgumentException("The connection belongs to another network.", nameof(connection));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        return GetOrStartIdentify(connection).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops: unregisters both protocols, cancels identifications and pushes in progress, and
    /// completes <see cref="Results"/> and <see cref="ObservedAddresses"/>.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        protocolsSubscription.Dispose();

        Interlocked.Exchange(ref eventsSubscription, null)?.Dispose();
        identifyRegistration.Dispose();
        pushRegistration.Dispose();
        shutdown.Cancel();
        StopPushTimer();
        if (Running.TryGetValue(network, out var current) && ReferenceEquals(current, this))
        {
            Running.Remove(network);
        }
        results.OnCompleted();
        observed.Dispose();
    }

    /// <summary>Protocol and address entries examined in all identify answers and pushes read so far: the work remotes made us do.</summary>
    internal long EntriesExamined => Interlocked.Read(ref entriesExamined);

    private bool IsDisposed => Volatile.Read(ref disposed) != 0;

    private void SubscribeToEvents()
    {
        var subscription = network.Events.Subscribe(OnEvent, OnEventsFailed);
        Interlocked.Exchange(ref eventsSubscription, subscription)?.Dispose();
        if (IsDisposed)
        {
            Interlocked.Exchange(ref eventsSubscription, null)?.Dispose();
        }
    }

    private void OnEvent(NetworkEvent networkEvent)
    {
        // Runs on the network's event pump: hand work off, never throw (a throwing observer is detached).
        switch (networkEvent)
        {
            case Connected { Connection: var connection } when Options.IdentifyNewConnections:
                _ = IdentifyInBackgroundAsync(connection);
                break;
            case ListenStarted or ListenClosed:
                SchedulePush();
                break;
        }
    }

    private void OnEventsFailed(Exception error)
    {
        // Only an overflow ends the subscription with an error: events were lost, so carry on with
        // a new subscription rather than stop identifying.
        if (!IsDisposed)
        {
            logger.EventsFailed(error);
            SubscribeToEvents();
        }
    }

    private void Publish(IdentifyResult result)
    {
        try
        {
            results.OnNext(result);
        }
        catch (Exception e)
        {
            logger.SubscriberThrew(e);
        }
    }
}
