using Microsoft.Extensions.Logging;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Reactive;
using Rx.Network.Resources;

namespace Rx.Network.Swarm;

internal sealed partial class SwarmNetwork
{
    private readonly object dialsGate = new();
    private readonly Dictionary<PeerId, SharedOutcome<SwarmConnection>> dials = [];
    private readonly Dictionary<PeerId, (int Failures, DateTimeOffset Until)> backoff = [];

    /// <summary>Peers kept in the backoff table before long-expired entries are pruned.</summary>
    private const int MaxBackoffEntries = 4096;

    /// <inheritdoc/>
    public async Task<IConnection> DialPeerAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer == LocalPeer)
        {
            throw new ArgumentException("A node cannot dial itself.", nameof(peer));
        }

        ThrowIfDisposed();
        if (OpenConnection(peer) is { } open)
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
                        var (network, peer, shared) = ((SwarmNetwork, PeerId, SharedOutcome<SwarmConnection>))state!;
                        lock (network.dialsGate)
                        {
                            if (network.dials.TryGetValue(peer, out var current) && current == shared)
                            {
                                network.dials.Remove(peer);
                            }
                        }
                    },
                    (this, peer, shared),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                shared.Follow(attempt);
            }
        }

        return await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SwarmConnection> DialAttemptAsync(PeerId peer)
    {
        await scheduler.Hop();
        if (OpenConnection(peer) is { } open)
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
        if (Volatile.Read(ref outboundCount) >= options.Limits.MaxOutbound)
        {
            var limit = new ConnectionLimitExceededException(nameof(ConnectionLimits.MaxOutbound), options.Limits.MaxOutbound);
            throw new DialException($"Cannot dial peer {peer}: {limit.Message}", limit);
        }

        var addresses = Peerstore.Addresses(peer).Where(a => transports.Any(t => t.CanDial(a))).ToArray();
        if (addresses.Length == 0)
        {
            MarkDialFailed(peer);
            throw new DialException(peer, $"No dialable address is known for peer {peer}.");
        }

        var errors = new List<KeyValuePair<Multiaddr, Exception>>();
        using var winner = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token);
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

        ThrowIfDisposed();
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
            if (!scope.TrySetRemoteAddress(IpOf(raw.RemoteAddress), out var addressRefusal))
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

            return (address, AddConnection(upgraded), null);
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

        MarkDialFailed(peer);
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

    private void ClearBackoff(PeerId peer)
    {
        lock (dialsGate)
        {
            backoff.Remove(peer);
        }
    }
}
