using Microsoft.Extensions.Logging;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Reactive;
using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Swarm;

/// <summary>
/// Dialing for the network: one shared attempt per peer (concurrent callers join it), the peer's
/// known addresses dialed in parallel up to <see cref="DialOptions.Parallelism"/> (the first to
/// connect wins), each address within <see cref="DialOptions.AddressTimeout"/>, and exponential
/// backoff for peers whose every address failed; the attempts inside their spans
/// (<see cref="NetworkTracing"/>) while something listens.
/// </summary>
/// <remarks>
/// Contract: <see cref="DialAsync"/> returns a connection that takes new streams, an open one if
/// there is one, else the winner of a new attempt, admitted through
/// <see cref="SwarmNetwork.AddConnection"/>. A refusal by one of our own limits (connections,
/// resources) is not the peer's fault: it neither backs the peer off nor changes its connectedness.
/// The network clears a peer's backoff (<see cref="ClearBackoff"/>) whenever a connection to it is
/// admitted, either way.
/// </remarks>
internal sealed class SwarmDialer
{
    /// <summary>Peers kept in the backoff table before long-expired entries are pruned.</summary>
    private const int MaxBackoffEntries = 4096;

    private readonly SwarmNetwork network;
    private readonly ConnectionRegistry registry;
    private readonly IPeerstore peerstore;
    private readonly IReadOnlyList<ITransport> transports;
    private readonly Upgrader upgrader;
    private readonly ResourceManager resources;
    private readonly NetworkScheduler scheduler;
    private readonly NetworkOptions options;
    private readonly ILogger logger;
    private readonly CancellationToken shutdown;
    private readonly object dialsGate = new();
    private readonly Dictionary<PeerId, SharedOutcome<SwarmConnection>> dials = [];
    private readonly Dictionary<PeerId, (int Failures, DateTimeOffset Until)> backoff = [];

    /// <summary>Creates the dialer of <paramref name="network"/>.</summary>
    /// <param name="network">Admits the connections dialed.</param>
    /// <param name="registry">The open connections (one is reused when it takes streams) and the peers' rows.</param>
    /// <param name="peerstore">Where the peers' addresses come from.</param>
    /// <param name="transports">The transports that dial.</param>
    /// <param name="upgrader">Secures and multiplexes a dialed connection.</param>
    /// <param name="resources">Reserves each outbound connection before it touches the network.</param>
    /// <param name="scheduler">Where the callers of a shared attempt resume (ADR 0011).</param>
    /// <param name="options">Dial settings, limits and the clock.</param>
    /// <param name="logger">Logs failed addresses.</param>
    /// <param name="shutdown">Cancelled when the network shuts down: every attempt ends.</param>
    public SwarmDialer(
        SwarmNetwork network, ConnectionRegistry registry, IPeerstore peerstore, IReadOnlyList<ITransport> transports, Upgrader upgrader,
        ResourceManager resources, NetworkScheduler scheduler, NetworkOptions options, ILogger logger, CancellationToken shutdown)
    {
        this.network = network;
        this.registry = registry;
        this.peerstore = peerstore;
        this.transports = transports;
        this.upgrader = upgrader;
        this.resources = resources;
        this.scheduler = scheduler;
        this.options = options;
        this.logger = logger;
        this.shutdown = shutdown;
    }

    private DateTimeOffset Now => options.TimeProvider.GetUtcNow();

    private NetworkMetrics Metrics => network.Metrics;

    /// <summary>A connection to <paramref name="peer"/> that takes new streams: an open one, or the one a (shared) dial attempt makes.</summary>
    /// <param name="peer">The peer (not ourselves).</param>
    /// <param name="cancellationToken">Stops this caller's wait; the attempt goes on for the others.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="DialException">Every address failed, none is known, the peer is backed off, or a local limit refused.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async Task<IConnection> DialAsync(PeerId peer, CancellationToken cancellationToken)
    {
        if (registry.OpenConnection(peer) is { } open)
        {
            return open;
        }

        SharedOutcome<SwarmConnection>? shared;
        lock (dialsGate)
        {
            if (!dials.TryGetValue(peer, out shared))
            {
                // One attempt per peer, shared by every concurrent caller; it runs on the network's
                // lifetime, not on any one caller's token. Its callers resume through the
                // network's scheduler, in the order they called (ADR 0011).
                shared = new SharedOutcome<SwarmConnection>(scheduler);
                dials[peer] = shared;
                var attempt = DialAttemptTracedAsync(peer);
                _ = attempt.ContinueWith(
                    static (_, state) =>
                    {
                        var (dialer, peer, shared) = ((SwarmDialer, PeerId, SharedOutcome<SwarmConnection>))state!;
                        lock (dialer.dialsGate)
                        {
                            if (dialer.dials.TryGetValue(peer, out var current) && current == shared)
                            {
                                dialer.dials.Remove(peer);
                            }
                        }
                    },
                    (this, peer, shared),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    scheduler.Tasks);
                shared.Follow(attempt);
            }
        }

        return await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the peer's failed dials (a connection to it was admitted).</summary>
    public void ClearBackoff(PeerId peer)
    {
        lock (dialsGate)
        {
            backoff.Remove(peer);
        }
    }

    /// <summary><see cref="DialAttemptAsync"/>, inside an <c>rxnet.dial</c> span when traced.</summary>
    private Task<SwarmConnection> DialAttemptTracedAsync(PeerId peer)
    {
        return NetworkTracing.IsEnabled ? TracedAsync() : DialAttemptAsync(peer);

        async Task<SwarmConnection> TracedAsync()
        {
            // The caller holds dialsGate: leave it before a listener's callbacks run.
            await scheduler.Hop();
            using var activity = NetworkTracing.StartDial(peer);
            try
            {
                var connection = await DialAttemptAsync(peer).ConfigureAwait(false);
                activity?.SetTag(NetworkTracing.MultiaddrTag, connection.RemoteAddress.ToString());
                return connection;
            }
            catch (Exception e)
            {
                NetworkTracing.Failed(activity, e);
                throw;
            }
        }
    }

    /// <summary><see cref="DialAddressAsync"/>, inside an <c>rxnet.dial.address</c> span when traced.</summary>
    private Task<(Multiaddr Address, SwarmConnection? Connection, Exception? Error)> DialAddressTracedAsync(PeerId peer, Multiaddr address, AsyncGate throttle, CancellationToken cancellationToken)
    {
        return NetworkTracing.IsEnabled ? TracedAsync() : DialAddressAsync(peer, address, throttle, cancellationToken);

        async Task<(Multiaddr, SwarmConnection?, Exception?)> TracedAsync()
        {
            using var activity = NetworkTracing.StartDialAddress(peer, address);
            var result = await DialAddressAsync(peer, address, throttle, cancellationToken).ConfigureAwait(false);
            if (result.Error is { } error)
            {
                NetworkTracing.Failed(activity, error);
            }

            return result;
        }
    }

    private async Task<SwarmConnection> DialAttemptAsync(PeerId peer)
    {
        await scheduler.Hop();
        if (registry.OpenConnection(peer) is { } open)
        {
            return open;
        }

        lock (dialsGate)
        {
            if (backoff.TryGetValue(peer, out var state) && state.Until > Now)
            {
                throw new DialException(peer, $"Peer {peer} is in dial backoff until {state.Until:O} after {state.Failures} failed dial(s).") { IsBackoff = true };
            }
        }

        // A local limit is not the peer's fault: refuse before touching the network, without
        // backoff or a change of the peer's connectedness.
        if (registry.OutboundCount >= options.Limits.MaxOutbound)
        {
            var limit = new ConnectionLimitExceededException(nameof(ConnectionLimits.MaxOutbound), options.Limits.MaxOutbound);
            throw new DialException($"Cannot dial peer {peer}: {limit.Message}", limit);
        }

        var addresses = peerstore.Addresses(peer).Where(a => transports.Any(t => t.CanDial(a))).ToArray();
        if (addresses.Length == 0)
        {
            registry.MarkDialFailed(peer);
            throw new DialException(peer, $"No dialable address is known for peer {peer}.");
        }

        var errors = new List<KeyValuePair<Multiaddr, Exception>>();
        using var winner = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        // Attempts that lost to the winner still release it after this method returned.
        var throttle = new AsyncGate(Math.Max(1, options.Dial.Parallelism), scheduler);
        var attempts = addresses.Select(address => DialAddressTracedAsync(peer, address, throttle, winner.Token)).ToList();
        while (attempts.Count > 0)
        {
            var finished = await Task.WhenAny(attempts).ConfigureAwait(false);
            attempts.Remove(finished);
            var (address, connection, error) = await finished.ConfigureAwait(false);
            if (connection is not null)
            {
                await winner.CancelAsync().ConfigureAwait(false);
                return connection;
            }

            lock (errors)
            {
                errors.Add(new(address, error!));
            }
        }

        ObjectDisposedException.ThrowIf(shutdown.IsCancellationRequested, network);
        var failure = new DialException(peer, $"Dialing peer {peer} failed on all {addresses.Length} address(es): {string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value.Message}"))}", errors);

        // A connection refused by one of our own limits (a race past the check above) says nothing
        // about the peer.
        if (!errors.Any(e => e.Value is ConnectionLimitExceededException or ResourceLimitExceededException))
        {
            RecordDialFailure(peer);
        }

        throw failure;
    }

    private async Task<(Multiaddr Address, SwarmConnection? Connection, Exception? Error)> DialAddressAsync(PeerId peer, Multiaddr address, AsyncGate throttle, CancellationToken cancellationToken)
    {
        try
        {
            await throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            return (address, null, e);
        }

        ConnectionScope? scope = null;
        try
        {
            // Reserved before touching the network; a refusal is our limit, not the peer's fault.
            scope = resources.TryOpenOutbound(peer, out var refusal) ?? throw refusal!;
            using var deadline = new CancellationTokenSource(options.Dial.AddressTimeout, options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            var transport = transports.First(t => t.CanDial(address));
            long started = options.TimeProvider.GetTimestamp();
            var raw = await transport.DialAsync(address, linked.Token).ConfigureAwait(false);

            // Now the remote IP is known: the connection counts in its address scopes (outbound),
            // and its transport buffers in its scopes, before the upgrade sends a byte.
            if (!scope.TrySetRemoteAddress(SwarmListeners.IpOf(raw.RemoteAddress), out var addressRefusal))
            {
                raw.Abort();
                await raw.DisposeAsync().ConfigureAwait(false);
                throw addressRefusal!;
            }

            scope.AttachTransport(raw.Memory);
            UpgradedConnection upgraded;
            try
            {
                // From here the scope is the upgrader's: disposed by it on failure, else when the session ends.
                var owned = scope;
                scope = null;
                upgraded = await upgrader.UpgradeOutboundAsync(raw, peer, owned, linked.Token).ConfigureAwait(false);
            }
            catch
            {
                Metrics.Handshake(options.TimeProvider.GetElapsedTime(started), Direction.Outbound, succeeded: false);
                throw;
            }

            Metrics.Handshake(options.TimeProvider.GetElapsedTime(started), Direction.Outbound, succeeded: true);
            if (cancellationToken.IsCancellationRequested)
            {
                // Another address won meanwhile: this connection is surplus.
                upgraded.Abort(new OperationCanceledException("Another address connected first."));
                return (address, null, new OperationCanceledException("Another address connected first."));
            }

            return (address, network.AddConnection(upgraded), null);
        }
        catch (Exception e)
        {
            scope?.Dispose();
            logger.DialAddressFailed(e, peer, address);
            return (address, null, e);
        }
        finally
        {
            throttle.Release();
        }
    }

    private void RecordDialFailure(PeerId peer)
    {
        Metrics.DialFailed();
        lock (dialsGate)
        {
            int failures = backoff.TryGetValue(peer, out var state) ? state.Failures + 1 : 1;
            var delay = TimeSpan.FromTicks(Math.Min(
                options.Dial.BackoffMax.Ticks,
                options.Dial.BackoffBase.Ticks * (1L << Math.Min(failures - 1, 30))));
            backoff[peer] = (failures, Now + delay);
            PruneBackoff();
        }

        registry.MarkDialFailed(peer);
    }

    /// <summary>
    /// Keeps the backoff table bounded: past <see cref="MaxBackoffEntries"/> peers, forgets those
    /// whose backoff ended more than <see cref="DialOptions.BackoffMax"/> ago (their next failure
    /// starts from the base delay again). Call under <see cref="dialsGate"/>.
    /// </summary>
    private void PruneBackoff()
    {
        if (backoff.Count <= MaxBackoffEntries)
        {
            return;
        }

        var stale = Now - options.Dial.BackoffMax;
        foreach (var peer in backoff.Where(pair => pair.Value.Until < stale).Select(pair => pair.Key).ToArray())
        {
            backoff.Remove(peer);
        }
    }
}
