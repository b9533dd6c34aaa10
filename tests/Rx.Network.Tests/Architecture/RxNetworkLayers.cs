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

    /// <summary>The map.</summary>
    public static LayerMap Map { get; } = new(
    [
        new Layer("Errors", ["Rx.Network.Errors"], PlainExceptions),
        Layer.Of("Encoding", "Rx.Network.Encoding", "Rx.Network.Encoding.Proto"),
        Layer.Of("Identity", "Rx.Network.Identity"),
        Layer.Of("Addressing", "Rx.Network.Addressing"),
        Layer.Of("Reactive", "Rx.Network.Reactive"),
        Layer.Of("Resources", "Rx.Network.Resources"),
        Layer.Of("Peerstore", "Rx.Network.Peerstore"),

        // The rest of the root namespace: the public contracts, events, the exceptions that carry
        // peer IDs and addresses, and the values only they use.
        Layer.Of("core", "Rx.Network"),
        Layer.Of("Transports", "Rx.Network.Transports"),
        Layer.Of("Negotiation", "Rx.Network.Negotiation"),
        Layer.Of("Security", "Rx.Network.Security", "Rx.Network.Security.Noise", "Rx.Network.Security.Tls"),
        Layer.Of("Muxing", "Rx.Network.Muxing"),

        // NetworkOptions is the swarm's configuration: the swarm takes it whole, and it names only
        // option types of the swarm and of lower layers.
        new Layer("Swarm", ["Rx.Network.Swarm"], ["Rx.Network.NetworkOptions"]),
        Layer.Of("Protocols", "Rx.Network.Protocols"),
        Layer.OfTypes("composition", "Rx.Network.NetworkBuilder"),
    ]);
}
