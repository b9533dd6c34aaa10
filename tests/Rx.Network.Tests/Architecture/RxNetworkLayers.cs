namespace Rx.Network.Tests.Architecture;

/// <summary>The layers of <c>src/Rx.Network</c>, lowest first: the order ADR 0001 states and the tests enforce.</summary>
public static class RxNetworkLayers
{
    /// <summary>
    /// The root namespace's exceptions that carry no value of the library (no <c>PeerId</c>, no
    /// <c>Multiaddr</c>): every layer throws them, so they sit at the bottom with the internal factory.
    /// </summary>
    private static readonly string[] PlainExceptions =
    [
        "Rx.Network.WireProtocolViolationException",
        "Rx.Network.MessageTooLargeException",
        "Rx.Network.HandshakeException",
        "Rx.Network.CertificateRejectedException",
        "Rx.Network.CertificateFailure",
        "Rx.Network.NegotiationException",
        "Rx.Network.NegotiationFailure",
        "Rx.Network.StreamResetException",
        "Rx.Network.MuxerClosedException",
        "Rx.Network.StreamLimitExceededException",
        "Rx.Network.ConnectionLimitExceededException",
        "Rx.Network.EventOverflowException",
    ];

    /// <summary>The resource manager's public contract and the values it carries (<c>INetwork.Resources</c> exposes them).</summary>
    private static readonly string[] ResourceContracts =
    [
        "Rx.Network.Resources.IResourceManager",
        "Rx.Network.Resources.ResourceLimits",
        "Rx.Network.Resources.ScopeLimits",
        "Rx.Network.Resources.ProtocolLimits",
        "Rx.Network.Resources.ResourceAllowlist",
        "Rx.Network.Resources.Resource",
        "Rx.Network.Resources.ScopeKind",
        "Rx.Network.Resources.ScopeUsage",
        "Rx.Network.Resources.ResourceScopeStatus",
        "Rx.Network.Resources.ResourceLimitExceededException",
    ];

    /// <summary>The peer store's public contract and the values it carries (<c>IDialer.Peerstore</c> exposes them).</summary>
    private static readonly string[] PeerstoreContracts =
    [
        "Rx.Network.Peerstore.IPeerstore",
        "Rx.Network.Peerstore.PeerInfo",
        "Rx.Network.Peerstore.AddressTtl",
        "Rx.Network.Peerstore.PeerstoreOptions",
    ];

    /// <summary>The map.</summary>
    public static LayerMap Map { get; } = new(
    [
        new Layer("Errors", ["Rx.Network.Errors"], PlainExceptions),
        Layer.Of("Encoding", "Rx.Network.Encoding", "Rx.Network.Encoding.Proto"),
        Layer.Of("Identity", "Rx.Network.Identity"),
        Layer.Of("Addressing", "Rx.Network.Addressing"),
        Layer.Of("Reactive", "Rx.Network.Reactive"),

        // The rest of the root namespace — the public contracts, events, the exceptions that carry
        // peer IDs and addresses — with the contracts and values of the resource manager and the
        // peer store that those contracts expose (DESIGN.md: "contracts (the peer store's too)").
        new Layer("core", ["Rx.Network"], [.. ResourceContracts, .. PeerstoreContracts]),

        // The resource manager's implementation: scopes, tables, transport accounting.
        Layer.Of("Resources", "Rx.Network.Resources"),
        Layer.Of("Transports", "Rx.Network.Transports"),
        Layer.Of("Negotiation", "Rx.Network.Negotiation"),
        Layer.Of("Security", "Rx.Network.Security", "Rx.Network.Security.Noise", "Rx.Network.Security.Tls"),
        Layer.Of("Muxing", "Rx.Network.Muxing"),

        // NetworkOptions is the swarm's configuration: the swarm takes it whole, and it names only
        // option types of the swarm and of lower layers.
        new Layer("Swarm", ["Rx.Network.Swarm"], ["Rx.Network.NetworkOptions"]),

        // The peer store's implementation: above the swarm, which sees only IPeerstore.
        Layer.Of("Peerstore", "Rx.Network.Peerstore"),
        Layer.Of("Protocols", "Rx.Network.Protocols"),
        Layer.OfTypes("composition", "Rx.Network.NetworkBuilder"),
    ]);
}
