using Rx.Network.Muxing;
using Rx.Network.Transports;

namespace Rx.Network.Hosting;

/// <summary>
/// How <c>AddRxNetwork</c> builds the hosted node. Bound from configuration (see
/// <see cref="Microsoft.Extensions.DependencyInjection.RxNetworkServiceCollectionExtensions"/>)
/// and/or set in code; every setting has the same default as <see cref="NetworkBuilder"/>.
/// </summary>
/// <example>
/// <code>
/// "RxNetwork": {
///   "Listen": [ "/ip4/0.0.0.0/tcp/4001", "/ip6/::/tcp/4001" ],
///   "IdentityKeyFile": "/var/lib/my-app/identity.key",
///   "Security": [ "Noise" ],
///   "AgentVersion": "my-app/1.0",
///   "Limits": { "MaxInbound": 128, "MaxPerPeer": 2 },
///   "Dial": { "AddressTimeout": "00:00:05" },
///   "ShutdownTimeout": "00:00:02",
///   "Yamux": { "MaxInboundStreams": 256 },
///   "Tcp": { "ConnectTimeout": "00:00:03" }
/// }
/// </code>
/// </example>
public sealed class RxNetworkOptions
{
    private readonly List<Action<NetworkBuilder, IServiceProvider>> builderActions = [];

    /// <summary>
    /// The addresses to listen on once the host has started (configuration key <c>Listen</c>, a
    /// list of multiaddrs such as <c>/ip4/0.0.0.0/tcp/4001</c>; port 0 picks a free port). Empty
    /// (the default): the node only dials out.
    /// </summary>
    public IList<string> Listen { get; } = new List<string>();

    /// <summary>
    /// The file holding the node's identity: the libp2p protobuf encoding of its Ed25519 private
    /// key (configuration key <c>IdentityKeyFile</c>; a relative path is taken from the host's
    /// content root). Created with a fresh key on first start, readable and writable by the owner
    /// only, and read on every later start, so the peer ID stays the same across restarts. A file
    /// that is not such a key stops the host with <see cref="IdentityKeyFileException"/>; it is never
    /// replaced. Null (the default): a fresh identity on every start.
    /// </summary>
    public string? IdentityKeyFile { get; set; }

    /// <summary>
    /// The security protocols offered, in order of preference (configuration key
    /// <c>Security</c>). Empty (the default): Noise only.
    /// <see cref="SecurityProtocol.Plaintext"/> offers no protection: tests only.
    /// </summary>
    public IList<SecurityProtocol> Security { get; } = new List<SecurityProtocol>();

    /// <summary>Whether <c>/ipfs/ping/1.0.0</c> is served (configuration key <c>Ping</c>). Default true.</summary>
    public bool Ping { get; set; } = true;

    /// <summary>Whether identify and identify push run (configuration key <c>Identify</c>). Default true.</summary>
    public bool Identify { get; set; } = true;

    /// <summary>The agent version identify announces (configuration key <c>AgentVersion</c>). Null: the library's default.</summary>
    public string? AgentVersion { get; set; }

    /// <summary>
    /// The network options. Their properties are configuration keys of the section itself:
    /// <c>Limits</c>, <c>Dial</c>, <c>Upgrade</c>, <c>StreamNegotiationTimeout</c>,
    /// <c>ShutdownTimeout</c>, <c>EventQueueCapacity</c>, <c>MaxNotConnectedPeerStatuses</c>.
    /// Their <see cref="NetworkOptions.LoggerFactory"/> is replaced by the host's
    /// <c>ILoggerFactory</c>, and their <see cref="NetworkOptions.TimeProvider"/> by a
    /// <see cref="System.TimeProvider"/> registered in the container, if there is one.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public NetworkOptions Network
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value));
    } = NetworkOptions.Default;

    /// <summary>The yamux options (configuration section <c>Yamux</c>, by property name).</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public YamuxOptions Yamux
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value));
    } = YamuxOptions.Default;

    /// <summary>The TCP transport options (configuration section <c>Tcp</c>, by property name). Null: the defaults.</summary>
    public TcpTransportOptions? Tcp { get; set; }

    /// <summary>
    /// Adds a step run on the <see cref="NetworkBuilder"/> after every setting above has been
    /// applied, with the application's services at hand: the place for what configuration does
    /// not cover (a shared peer store, identify options, builder extensions of other packages).
    /// Steps run in the order they were added.
    /// </summary>
    /// <param name="configure">The step.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is null.</exception>
    public RxNetworkOptions ConfigureBuilder(Action<NetworkBuilder, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        builderActions.Add(configure);
        return this;
    }

    /// <summary>Adds a step run on the <see cref="NetworkBuilder"/> after every setting above has been applied.</summary>
    /// <param name="configure">The step.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is null.</exception>
    public RxNetworkOptions ConfigureBuilder(Action<NetworkBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        builderActions.Add((builder, _) => configure(builder));
        return this;
    }

    /// <summary>The builder steps, in order.</summary>
    internal IReadOnlyList<Action<NetworkBuilder, IServiceProvider>> BuilderActions => builderActions;
}
