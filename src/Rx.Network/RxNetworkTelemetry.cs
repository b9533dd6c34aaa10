namespace Rx.Network;

/// <summary>
/// The names under which the library reports telemetry: subscribe to them with OpenTelemetry
/// (<c>AddSource(RxNetworkTelemetry.ActivitySourceName)</c>,
/// <c>AddMeter(RxNetworkTelemetry.MeterName)</c>), <c>dotnet-trace</c>/<c>dotnet-counters</c>, or
/// an <see cref="System.Diagnostics.ActivityListener"/>/<see cref="System.Diagnostics.Metrics.MeterListener"/>.
/// </summary>
/// <remarks>
/// <para>Spans (activities) of the <c>Rx.Network</c> source, all with status Error and an
/// <c>error.type</c> tag (the exception's type) when they fail:</para>
/// <list type="table">
/// <listheader><term>name (kind)</term><description>what it covers, and its tags</description></listheader>
/// <item><term><c>rxnet.dial</c> (Client)</term><description>dialing a peer, from the first caller until a connection is up or every address failed: <c>libp2p.peer.id</c>, <c>libp2p.multiaddr</c> (the address that won).</description></item>
/// <item><term><c>rxnet.dial.address</c> (Client)</term><description>one address of that dial (transport connect and upgrade), a child of <c>rxnet.dial</c>: <c>libp2p.peer.id</c>, <c>libp2p.multiaddr</c>, <c>network.peer.address</c>, <c>network.peer.port</c>, <c>network.transport</c>.</description></item>
/// <item><term><c>rxnet.upgrade</c> (Internal)</term><description>security and muxer negotiation of a raw connection, either direction: <c>libp2p.direction</c>, <c>libp2p.security</c> (e.g. <c>/noise</c>), <c>libp2p.muxer</c> (e.g. <c>/yamux/1.0.0</c>), <c>libp2p.muxer.negotiation</c> (<c>inlined</c> in the handshake or <c>multistream</c>), <c>libp2p.peer.id</c> (the authenticated remote).</description></item>
/// <item><term><c>rxnet.stream.negotiate</c> (Internal)</term><description>multistream-select of a new stream's protocol: <c>libp2p.direction</c>, <c>libp2p.peer.id</c>, <c>libp2p.protocols.offered</c> (outbound), <c>libp2p.protocol</c> (the one agreed).</description></item>
/// <item><term><c>rxnet.request</c> (Client / Server)</term><description>one request/reply exchange of a <see cref="Protocols.RequestReplyService"/>, on each side: <c>libp2p.protocol</c>, <c>libp2p.peer.id</c>, <c>rxnet.request.size</c>, <c>rxnet.reply.size</c> (bytes).</description></item>
/// </list>
/// <para>When nothing listens to the source, no activity is created and the instrumented paths
/// cost one check of <see cref="System.Diagnostics.ActivitySource.HasListeners"/>.</para>
/// </remarks>
public static class RxNetworkTelemetry
{
    /// <summary>The name of the library's <see cref="System.Diagnostics.ActivitySource"/>: <c>Rx.Network</c>.</summary>
    public const string ActivitySourceName = "Rx.Network";

    /// <summary>The name of the library's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>Rx.Network</c>.</summary>
    public const string MeterName = "Rx.Network";
}
