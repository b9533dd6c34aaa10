using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Rx.Network.Reactive;
using Rx.Network.Resources;
using Rx.Network.Security;
using Rx.Network.Security.Noise;
using Rx.Network.Security.Tls;
using Rx.Network.Swarm;
using Rx.Network.Transports;

namespace Rx.Network;

/// <summary>
/// Configures and creates an <see cref="INetwork"/>: identity, listen addresses, transports (TCP and WebSocket),
/// security (Noise by default; plaintext only on request), muxer options, limits, clock and
/// logging. Ping is served by default (js-libp2p closes connections whose pings fail), and so is
/// identify (<see cref="IdentifyService"/>, found again with <see cref="IdentifyService.Of"/>).
/// </summary>
/// <example>
/// <code>
/// await using var network = await new NetworkBuilder()
///     .ListenOn("/ip4/127.0.0.1/tcp/0")
///     .StartAsync();
/// </code>
/// </example>
public sealed class NetworkBuilder
{
    private readonly List<Multiaddr> listenAddresses = [];
    private readonly List<SecurityProtocol> security = [];
    private PrivateKey? identity;
    private NetworkOptions options = NetworkOptions.Default;
    private YamuxOptions yamux = YamuxOptions.Default;
    private TcpTransportOptions? tcp;
    private WebSocketTransportOptions webSockets = WebSocketTransportOptions.Default;
    private IPeerstore? peerstore;
    private bool ping = true;
    private IdentifyOptions? identify = IdentifyOptions.Default;
    private Func<NetworkOptions, ITransport>? extraTransport;
    private NetworkScheduler? networkScheduler;

    /// <summary>Uses <paramref name="key"/> as the node's identity (default: a fresh Ed25519 key). The network does not take ownership.</summary>
    /// <param name="key">The identity key.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public NetworkBuilder WithIdentity(PrivateKey key)
    {
        identity = key ?? throw new ArgumentNullException(nameof(key));
        return this;
    }

    /// <summary>Adds addresses to listen on when started.</summary>
    /// <param name="addresses">The addresses, e.g. <c>/ip4/127.0.0.1/tcp/0</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="addresses"/> is null.</exception>
    /// <exception cref="FormatException">An address does not parse.</exception>
    public NetworkBuilder ListenOn(params string[] addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        listenAddresses.AddRange(addresses.Select(Multiaddr.Parse));
        return this;
    }

    /// <summary>Adds addresses to listen on when started.</summary>
    /// <param name="addresses">The addresses.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="addresses"/> is null.</exception>
    public NetworkBuilder ListenOn(params Multiaddr[] addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        listenAddresses.AddRange(addresses);
        return this;
    }

    /// <summary>
    /// Chooses the security protocols offered, in order of preference. Default: Noise only.
    /// <c>WithSecurity(SecurityProtocol.Noise, SecurityProtocol.Tls)</c> offers both, Noise first.
    /// <see cref="SecurityProtocol.Plaintext"/> offers no protection: tests and baselines only.
    /// </summary>
    /// <param name="protocols">The protocols.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="protocols"/> is null.</exception>
    /// <exception cref="ArgumentException">No protocol was given.</exception>
    public NetworkBuilder WithSecurity(params SecurityProtocol[] protocols)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        if (protocols.Length == 0)
        {
            throw new ArgumentException("Give at least one security protocol.", nameof(protocols));
        }

        security.Clear();
        security.AddRange(protocols.Distinct());
        return this;
    }

    /// <summary>Sets the yamux options (windows, stream limits, keep-alive).</summary>
    /// <param name="value">The options.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public NetworkBuilder WithYamux(YamuxOptions value)
    {
        yamux = value ?? throw new ArgumentNullException(nameof(value));
        return this;
    }

    /// <summary>Sets the TCP transport options.</summary>
    /// <param name="value">The options.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public NetworkBuilder WithTcp(TcpTransportOptions value)
    {
        tcp = value ?? throw new ArgumentNullException(nameof(value));
        return this;
    }

    /// <summary>
    /// Sets the WebSocket transport options (<c>/ws</c> is on by default; a certificate turns on
    /// listening on <c>/wss</c> and <c>/tls/ws</c>). Its sockets follow the TCP options.
    /// </summary>
    /// <param name="value">The options.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public NetworkBuilder WithWebSockets(WebSocketTransportOptions value)
    {
        webSockets = value ?? throw new ArgumentNullException(nameof(value));
        return this;
    }

    /// <summary>Replaces the network options (limits, timeouts, clock, logging).</summary>
    /// <param name="value">The options.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public NetworkBuilder WithOptions(NetworkOptions value)
    {
        options = value ?? throw new ArgumentNullException(nameof(value));
        return this;
    }

    /// <summary>Edits the network options.</summary>
    /// <param name="edit">Returns the new options from the current ones, e.g. <c>o =&gt; o with { Limits = … }</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="edit"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="edit"/> returned null.</exception>
    public NetworkBuilder WithOptions(Func<NetworkOptions, NetworkOptions> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        options = edit(options) ?? throw new InvalidOperationException("The edit returned null.");
        return this;
    }

    /// <summary>Sets the clock for every timeout, backoff and lifetime.</summary>
    /// <param name="time">The clock.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="time"/> is null.</exception>
    public NetworkBuilder WithTimeProvider(TimeProvider time) =>
        WithOptions(o => o with { TimeProvider = time ?? throw new ArgumentNullException(nameof(time)) });

    /// <summary>
    /// Takes the network's time from an Rx scheduler: every timeout, backoff, address lifetime and
    /// RTT is measured on <paramref name="scheduler"/>'s clock (<see cref="IScheduler.Now"/>) and
    /// every timer is an action scheduled on it. With a virtual-time scheduler (System.Reactive's
    /// <see cref="HistoricalScheduler"/>, a test scheduler) those run only as the test advances
    /// the clock; sockets still move bytes in real time. Replaces <see cref="WithTimeProvider"/>.
    /// </summary>
    /// <param name="scheduler">
    /// The scheduler. <see cref="ImmediateScheduler"/> and <see cref="CurrentThreadScheduler"/> are
    /// refused: they run timed actions by blocking the calling thread.
    /// </param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scheduler"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="scheduler"/> runs timed actions by blocking the caller.</exception>
    public NetworkBuilder WithScheduler(IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        if (scheduler is ImmediateScheduler or CurrentThreadScheduler)
        {
            throw new ArgumentException("The scheduler blocks the calling thread for timed actions; use one that runs them later (a thread-pool, event-loop or virtual-time scheduler).", nameof(scheduler));
        }

        return WithTimeProvider(new SchedulerTimeProvider(scheduler));
    }

    /// <summary>Sets where the network logs.</summary>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="loggerFactory"/> is null.</exception>
    public NetworkBuilder WithLoggerFactory(ILoggerFactory loggerFactory) =>
        WithOptions(o => o with { LoggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory)) });

    /// <summary>Sets the connection limits.</summary>
    /// <param name="limits">The limits.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="limits"/> is null.</exception>
    public NetworkBuilder WithLimits(ConnectionLimits limits) =>
        WithOptions(o => o with { Limits = limits ?? throw new ArgumentNullException(nameof(limits)) });

    /// <summary>
    /// Sets the resource manager's limits (memory, streams and connections per scope). The
    /// defaults (<see cref="ResourceLimits.Default"/>) are safe with no configuration; see the
    /// README's limits table for every value and the node-wide worst case.
    /// </summary>
    /// <param name="limits">The limits.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="limits"/> is null.</exception>
    public NetworkBuilder WithResourceLimits(ResourceLimits limits) =>
        WithOptions(o => o with { Resources = limits ?? throw new ArgumentNullException(nameof(limits)) });

    /// <summary>Edits the resource manager's limits, starting from the current ones, e.g. <c>l =&gt; l.AutoScaled()</c>.</summary>
    /// <param name="edit">Returns the new limits from the current ones.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="edit"/> is null, or returned null.</exception>
    public NetworkBuilder WithResourceLimits(Func<ResourceLimits, ResourceLimits> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        return WithOptions(o => o with { Resources = edit(o.Resources) ?? throw new ArgumentNullException(nameof(edit), "The edit returned null.") });
    }

    /// <summary>Uses an existing peer store (shared between networks, or pre-filled).</summary>
    /// <param name="store">The peer store; the network does not dispose it.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is null.</exception>
    public NetworkBuilder WithPeerstore(IPeerstore store)
    {
        peerstore = store ?? throw new ArgumentNullException(nameof(store));
        return this;
    }

    /// <summary>Turns serving of <c>/ipfs/ping/1.0.0</c> off (it is on by default).</summary>
    /// <returns>This builder.</returns>
    public NetworkBuilder WithoutPing()
    {
        ping = false;
        return this;
    }

    /// <summary>Turns identify and identify push off (on by default); run your own <see cref="IdentifyService"/> instead if you like.</summary>
    /// <returns>This builder.</returns>
    public NetworkBuilder WithoutIdentify()
    {
        identify = null;
        return this;
    }

    /// <summary>Turns identify on (the default) with <paramref name="value"/> as its settings.</summary>
    /// <param name="value">The settings.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public NetworkBuilder WithIdentify(IdentifyOptions value)
    {
        identify = value ?? throw new ArgumentNullException(nameof(value));
        return this;
    }

    /// <summary>Sets the agent version identify announces (default <see cref="IdentifyOptions.DefaultAgentVersion"/>), turning identify on.</summary>
    /// <param name="agentVersion">The agent version, usually <c>name/version</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="agentVersion"/> is null, empty or longer than 1024 characters.</exception>
    public NetworkBuilder WithAgentVersion(string agentVersion)
    {
        ArgumentException.ThrowIfNullOrEmpty(agentVersion);
        identify = (identify ?? IdentifyOptions.Default) with { AgentVersion = agentVersion };
        return this;
    }

    /// <summary>Adds a transport besides TCP (the mock network uses this).</summary>
    internal NetworkBuilder WithTransport(Func<NetworkOptions, ITransport> factory)
    {
        extraTransport = factory;
        return this;
    }

    /// <summary>
    /// Runs the network on <paramref name="scheduler"/> (the mock network's, whose posts go to its
    /// virtual-time driver) instead of one made from the time provider.
    /// </summary>
    internal NetworkBuilder WithNetworkScheduler(NetworkScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        networkScheduler = scheduler;
        return this;
    }

    /// <summary>Creates the network without listening.</summary>
    /// <returns>The network; dispose it to shut down.</returns>
    public INetwork Build()
    {
        var key = identity ?? PrivateKey.Generate();
        var channelOptions = SecureChannelOptions.Default;
        var protocols = (security.Count == 0 ? [SecurityProtocol.Noise] : security).Select(p => p switch
        {
            SecurityProtocol.Noise => (ISecurityProtocol)new NoiseSecurity(key, options.TimeProvider, Timeout.InfiniteTimeSpan, channelOptions),
            SecurityProtocol.Plaintext => new PlaintextSecurity(key, channelOptions),
            SecurityProtocol.Tls => new TlsSecurity(key, options.TimeProvider, Timeout.InfiniteTimeSpan, channelOptions),
            _ => throw new ArgumentOutOfRangeException(nameof(security), p, "Unknown security protocol."),
        }).ToArray();
        // One scheduler per network: the swarm's coordination and the muxer's waiters resume on it.
        var scheduler = networkScheduler ?? new NetworkScheduler(options.TimeProvider);
        var muxers = new IMuxerFactory[] { new YamuxMuxerFactory(yamux, options.TimeProvider, scheduler) };
        var upgrader = new Upgrader(protocols, muxers, options.Upgrade, options.TimeProvider, scheduler);
        var tcpOptions = tcp ?? new TcpTransportOptions { TimeProvider = options.TimeProvider };
        var transports = new List<ITransport> { new TcpTransport(tcpOptions), new WebSocketTransport(tcpOptions, webSockets) };
        if (extraTransport is not null)
        {
            transports.Insert(0, extraTransport(options));
        }

        // The swarm sees only IPeerstore; the default store is made here and owned by the network.
        var network = new SwarmNetwork(key, transports, upgrader, peerstore ?? new MemoryPeerstore(options.TimeProvider), ownsPeerstore: peerstore is null, options, scheduler);
        if (ping)
        {
            network.AddService(new PingService(network, options.TimeProvider));
        }

        if (identify is not null)
        {
            network.AddService(new IdentifyService(network, identify, options.TimeProvider, options.LoggerFactory));
        }

        return network;
    }

    /// <summary>Creates the network and starts listening on the configured addresses.</summary>
    /// <param name="cancellationToken">Cancels binding.</param>
    /// <returns>The listening network.</returns>
    /// <exception cref="IOException">Binding failed (the network is disposed again).</exception>
    public async Task<INetwork> StartAsync(CancellationToken cancellationToken = default)
    {
        var network = Build();
        try
        {
            if (listenAddresses.Count > 0)
            {
                await network.ListenAsync(listenAddresses, cancellationToken).ConfigureAwait(false);
            }

            return network;
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
