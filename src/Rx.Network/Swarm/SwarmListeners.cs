using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Rx.Network.Addressing;
using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Swarm;

/// <summary>
/// Listening for the network: the listeners, one accept loop each, and the inbound path up to an
/// upgraded connection: the checks that refuse a connection before any handshake byte (rate per
/// IP, pending connections, the inbound limit, the resource manager), then the inbound upgrade.
/// </summary>
/// <remarks>
/// Contract: <see cref="ListenAsync"/> starts listeners (publishing <see cref="ListenStarted"/>);
/// every accepted connection that passes the checks is upgraded and handed to
/// <see cref="SwarmNetwork.AddConnection"/>; every refusal is counted and published
/// (<see cref="InboundRefused"/>), every failed upgrade published (<see cref="InboundUpgradeFailed"/>).
/// A loop ends when its listener does or the network shuts down, publishing <see cref="ListenClosed"/>;
/// <see cref="CloseListenersAsync"/> closes the listeners, <see cref="WhenLoopsEnded"/> waits for their loops.
/// </remarks>
internal sealed class SwarmListeners
{
    private readonly SwarmNetwork network;
    private readonly ConnectionRegistry registry;
    private readonly IReadOnlyList<ITransport> transports;
    private readonly Upgrader upgrader;
    private readonly ResourceManager resources;
    private readonly InboundRateLimiter rateLimiter;
    private readonly EventHub events;
    private readonly NetworkOptions options;
    private readonly ILogger logger;
    private readonly CancellationToken shutdown;
    private readonly object gate = new();
    private readonly List<IRawListener> listeners = [];
    private readonly List<Task> acceptLoops = [];
    private int pendingInbound;

    /// <summary>Creates the (idle) listeners of <paramref name="network"/>.</summary>
    /// <param name="network">Admits the connections accepted.</param>
    /// <param name="registry">The open connections, for the inbound limit's early check.</param>
    /// <param name="transports">The transports that listen.</param>
    /// <param name="upgrader">Secures and multiplexes an accepted connection.</param>
    /// <param name="resources">Reserves each inbound connection before its handshake.</param>
    /// <param name="events">Where listener and refusal events go.</param>
    /// <param name="options">Limits and the clock.</param>
    /// <param name="logger">Logs refusals and failures.</param>
    /// <param name="shutdown">Cancelled when the network shuts down: the loops and upgrades end.</param>
    public SwarmListeners(
        SwarmNetwork network, ConnectionRegistry registry, IReadOnlyList<ITransport> transports, Upgrader upgrader,
        ResourceManager resources, EventHub events, NetworkOptions options, ILogger logger, CancellationToken shutdown)
    {
        this.network = network;
        this.registry = registry;
        this.transports = transports;
        this.upgrader = upgrader;
        this.resources = resources;
        this.events = events;
        this.options = options;
        this.logger = logger;
        this.shutdown = shutdown;
        rateLimiter = new InboundRateLimiter(options.TimeProvider, options.Limits.InboundPerIpPerSecond, options.Limits.InboundPerIpBurst);
    }

    /// <summary>The addresses listened on.</summary>
    public IReadOnlyList<Multiaddr> Addresses
    {
        get
        {
            lock (gate)
            {
                return listeners.Select(l => l.LocalAddress).ToArray();
            }
        }
    }

    private DateTimeOffset Now => options.TimeProvider.GetUtcNow();

    private NetworkMetrics Metrics => network.Metrics;

    /// <summary>Starts listening on <paramref name="addresses"/> (checked first: a transport must take each).</summary>
    /// <exception cref="ArgumentNullException">An address is null.</exception>
    /// <exception cref="ArgumentException">No transport can listen on an address.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async Task ListenAsync(IEnumerable<Multiaddr> addresses, CancellationToken cancellationToken)
    {
        var requested = addresses.ToArray();
        foreach (var address in requested)
        {
            ArgumentNullException.ThrowIfNull(address, nameof(addresses));
            if (!transports.Any(t => t.CanListen(address)))
            {
                throw new ArgumentException($"No transport can listen on {address}.", nameof(addresses));
            }
        }

        foreach (var address in requested)
        {
            var transport = transports.First(t => t.CanListen(address));
            var listener = await transport.ListenAsync(address, cancellationToken).ConfigureAwait(false);
            events.Publish(new ListenStarted(Now, listener.LocalAddress));
            lock (gate)
            {
                listeners.Add(listener);
                using (NetworkTracing.Detach())
                {
                    acceptLoops.Add(AcceptLoopAsync(listener));
                }
            }
        }
    }

    /// <summary>The listen addresses with every unspecified IP (0.0.0.0, ::) expanded to the interfaces' addresses.</summary>
    public IReadOnlyList<Multiaddr> InterfaceAddresses()
    {
        var result = new List<Multiaddr>();
        foreach (var address in Addresses)
        {
            var host = address.Components.Count > 0 ? address.Components[0] : null;
            var family = host switch
            {
                { Protocol.Name: "ip4", Value: "0.0.0.0" } => AddressFamily.InterNetwork,
                { Protocol.Name: "ip6", Value: "::" } => AddressFamily.InterNetworkV6,
                _ => AddressFamily.Unspecified,
            };
            if (family == AddressFamily.Unspecified)
            {
                result.Add(address);
                continue;
            }

            var rest = Multiaddr.FromComponents(address.Components.Skip(1));
            foreach (var ip in InterfaceAddresses(family))
            {
                result.Add(Multiaddr.FromEndPoint(new IPEndPoint(ip, 0)).DecapsulateCode(MultiaddrProtocol.Tcp.Code).Encapsulate(rest));
            }
        }

        return result.Distinct().ToArray();
    }

    /// <summary>Closes every listener (the network is shutting down: its token is already cancelled).</summary>
    public async Task CloseListenersAsync()
    {
        IRawListener[] open;
        lock (gate)
        {
            open = listeners.ToArray();
        }

        foreach (var listener in open)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for every accept loop to end (each publishes its <see cref="ListenClosed"/> first).</summary>
    public Task WhenLoopsEnded()
    {
        lock (gate)
        {
            return Task.WhenAll(acceptLoops.ToArray());
        }
    }

    /// <summary>The IP of a remote address, if it has one.</summary>
    internal static IPAddress? IpOf(Multiaddr remote) =>
        remote.TryGetEndPoint(out var endPoint) && endPoint is IPEndPoint ip ? ip.Address : null;

    private static IEnumerable<IPAddress> InterfaceAddresses(AddressFamily family)
    {
        IEnumerable<IPAddress> found;
        try
        {
            found = NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .Where(a => a.AddressFamily == family && !(family == AddressFamily.InterNetworkV6 && a.IsIPv6LinkLocal))
                .ToArray();
        }
        catch (NetworkInformationException)
        {
            found = [];
        }

        // Loopback is always an interface address, even where enumeration is restricted.
        var loopback = family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback;
        return found.Contains(loopback) ? found : found.Prepend(loopback);
    }

    /// <summary>A resource manager's refusal of an inbound connection, as the <see cref="InboundRefused"/> event carries it.</summary>
    private static ConnectionLimitExceededException ResourceRefusalOf(ResourceLimitExceededException exceeded) =>
        new($"Resources:{exceeded.Scope}:{exceeded.Resource}", (int)Math.Min(exceeded.Limit, int.MaxValue), exceeded);

    private async Task AcceptLoopAsync(IRawListener listener)
    {
        var address = listener.LocalAddress;
        Exception? error = null;
        try
        {
            while (await listener.AcceptAsync(shutdown).ConfigureAwait(false) is { } raw)
            {
                // Checked in order of cost to us: all three refuse before any handshake byte, so a
                // flood costs an accept and a close, and the dialer's dial fails at once.
                var refusal = RateLimitRefusal(raw.RemoteAddress);
                if (refusal is null && Interlocked.Increment(ref pendingInbound) > options.Limits.MaxPendingInbound)
                {
                    Interlocked.Decrement(ref pendingInbound);
                    logger.PendingInboundExceeded(raw.RemoteAddress);
                    refusal = new ConnectionLimitExceededException(nameof(ConnectionLimits.MaxPendingInbound), options.Limits.MaxPendingInbound);
                }
                else if (refusal is null && registry.InboundCount >= options.Limits.MaxInbound)
                {
                    // The check after the upgrade still decides for connections pending together.
                    Interlocked.Decrement(ref pendingInbound);
                    logger.InboundLimitReached(raw.RemoteAddress, options.Limits.MaxInbound);
                    refusal = new ConnectionLimitExceededException(nameof(ConnectionLimits.MaxInbound), options.Limits.MaxInbound);
                }

                // The resource manager last: pending connections per address (one host cannot take
                // the pending slots others need) and node-wide.
                ConnectionScope? scope = null;
                if (refusal is null)
                {
                    scope = resources.TryOpenInbound(IpOf(raw.RemoteAddress), out var exceeded);
                    if (scope is null)
                    {
                        Interlocked.Decrement(ref pendingInbound);
                        refusal = ResourceRefusalOf(exceeded!);
                    }
                }

                if (refusal is not null)
                {
                    RefuseInbound(raw.RemoteAddress, refusal);
                    raw.Abort();
                    await raw.DisposeAsync().ConfigureAwait(false);
                    continue;
                }

                // What the connection buffers counts in its scopes from here (pending: its floors only).
                scope!.AttachTransport(raw.Memory);
                _ = UpgradeInboundAsync(raw, scope);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception e)
        {
            error = e;
            logger.ListenerFailed(e, address);
        }
        finally
        {
            lock (gate)
            {
                listeners.Remove(listener);
            }

            await listener.DisposeAsync().ConfigureAwait(false);
            events.Publish(new ListenClosed(Now, address, error));
        }
    }

    /// <summary>The refusal when <paramref name="remote"/> is over its rate of new connections, else null.</summary>
    private ConnectionLimitExceededException? RateLimitRefusal(Multiaddr remote)
    {
        if (!rateLimiter.Enabled || !remote.TryGetEndPoint(out var endPoint) || endPoint is not IPEndPoint ip || rateLimiter.TryAcquire(ip.Address))
        {
            return null;
        }

        logger.InboundRateLimited(remote, options.Limits.InboundPerIpPerSecond);
        return new ConnectionLimitExceededException(nameof(ConnectionLimits.InboundPerIpPerSecond), options.Limits.InboundPerIpPerSecond);
    }

    /// <summary>Counts and reports an inbound connection refused by a limit.</summary>
    private void RefuseInbound(Multiaddr remote, ConnectionLimitExceededException reason)
    {
        Metrics.InboundRefused(reason.Limit ?? "unknown");
        events.Publish(new InboundRefused(Now, remote, reason));
    }

    private async Task UpgradeInboundAsync(IRawConnection raw, ConnectionScope scope)
    {
        long started = options.TimeProvider.GetTimestamp();
        try
        {
            var upgraded = await upgrader.UpgradeInboundAsync(raw, scope, shutdown).ConfigureAwait(false);
            Metrics.Handshake(options.TimeProvider.GetElapsedTime(started), Direction.Inbound, succeeded: true);
            network.AddConnection(upgraded);
        }
        catch (ResourceLimitExceededException e) when (!shutdown.IsCancellationRequested)
        {
            // The proven peer's scopes (or the address's established connections) are full.
            logger.InboundUpgradeFailed(e, raw.RemoteAddress);
            RefuseInbound(raw.RemoteAddress, ResourceRefusalOf(e));
        }
        catch (ConnectionLimitExceededException e) when (!shutdown.IsCancellationRequested)
        {
            // A limit that could only be checked once the peer was known (per peer), or that
            // connections pending together crossed.
            logger.InboundUpgradeFailed(e, raw.RemoteAddress);
            RefuseInbound(raw.RemoteAddress, e);
        }
        catch (Exception e)
        {
            Metrics.Handshake(options.TimeProvider.GetElapsedTime(started), Direction.Inbound, succeeded: false);
            logger.InboundUpgradeFailed(e, raw.RemoteAddress);
            if (!shutdown.IsCancellationRequested)
            {
                events.Publish(new InboundUpgradeFailed(Now, raw.RemoteAddress, e));
            }
        }
        finally
        {
            // The scope is the upgrader's now: disposed by it on failure, else when the session ends.
            Interlocked.Decrement(ref pendingInbound);
        }
    }
}
