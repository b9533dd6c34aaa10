using System.Diagnostics;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Rx.Network.Swarm;
using Rx.Network.Tests.Protocols;

namespace Rx.Network.Tests.Swarm;

/// <summary>The spans of the <c>Rx.Network</c> activity source, seen by an <see cref="ActivityListener"/>.</summary>
public sealed class NetworkTracingTests
{
    private const string Echo = "/trace/echo/1.0.0";

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();

    private static Func<Activity, bool> Span(string name, PeerId peer, string? direction = null) => activity =>
        activity.OperationName == name
        && Tag(activity, "libp2p.peer.id") == peer.ToString()
        && (direction is null || Tag(activity, "libp2p.direction") == direction);

    [Fact]
    public async Task Dial_TracesTheDialEachAddressAndTheUpgrade()
    {
        using var recorder = new ActivityRecorder();
        await using var nodes = await TwoNodes.StartAsync();
        using var caller = new Activity("caller").Start();

        var connection = await nodes.Client.DialPeerAsync(nodes.Server.LocalPeer);

        Assert.Same(caller, Activity.Current);
        var dial = await recorder.WaitForAsync(Span("rxnet.dial", nodes.Server.LocalPeer));
        Assert.Equal(ActivityKind.Client, dial.Kind);
        Assert.Equal(caller.SpanId, dial.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Unset, dial.Status);
        Assert.Equal(connection.RemoteAddress.ToString(), Tag(dial, "libp2p.multiaddr"));

        var address = await recorder.WaitForAsync(Span("rxnet.dial.address", nodes.Server.LocalPeer));
        Assert.Equal(dial.SpanId, address.ParentSpanId);
        Assert.Equal(nodes.Server.ListenAddresses[0].ToString(), Tag(address, "libp2p.multiaddr"));
        Assert.Equal("127.0.0.1", Tag(address, "network.peer.address"));
        Assert.Equal(nodes.Server.ListenAddresses[0].Components[1].Value, Tag(address, "network.peer.port"));
        Assert.Equal("tcp", Tag(address, "network.transport"));

        var upgrade = await recorder.WaitForAsync(Span("rxnet.upgrade", nodes.Server.LocalPeer, "outbound"));
        Assert.Equal(address.SpanId, upgrade.ParentSpanId);
        Assert.Equal("/noise", Tag(upgrade, "libp2p.security"));
        Assert.Equal("/yamux/1.0.0", Tag(upgrade, "libp2p.muxer"));
        Assert.Equal("inlined", Tag(upgrade, "libp2p.muxer.negotiation"));

        // The listener's side: an upgrade of its own, not a child of anything of the dialer's.
        var inbound = await recorder.WaitForAsync(Span("rxnet.upgrade", nodes.Client.LocalPeer, "inbound"));
        Assert.Equal("/noise", Tag(inbound, "libp2p.security"));
        Assert.Equal(default, inbound.ParentSpanId);
    }

    [Fact]
    public async Task Dial_Failing_MarksTheDialAndTheAddressFailedWithTheErrorType()
    {
        using var recorder = new ActivityRecorder();
        await using var client = await new NetworkBuilder().StartAsync();
        using var stranger = PrivateKey.Generate();
        var peer = PeerId.FromPublicKey(stranger.PublicKey);
        using var dead = new DeadPort();
        client.Peerstore.AddAddresses(peer, [dead.Address], AddressTtl.Temporary);

        await Assert.ThrowsAsync<DialException>(() => client.DialPeerAsync(peer));

        var dial = await recorder.WaitForAsync(Span("rxnet.dial", peer));
        Assert.Equal(ActivityStatusCode.Error, dial.Status);
        Assert.Equal(typeof(DialException).FullName, Tag(dial, "error.type"));
        var address = await recorder.WaitForAsync(Span("rxnet.dial.address", peer));
        Assert.Equal(ActivityStatusCode.Error, address.Status);
        Assert.NotNull(Tag(address, "error.type"));
    }

    [Fact]
    public async Task NewStream_TracesTheNegotiationOnBothSides()
    {
        using var recorder = new ActivityRecorder();
        await using var nodes = await TwoNodes.StartAsync();
        using var serving = nodes.Server.SetStreamHandler(Echo, async stream => await stream.CloseWriteAsync());
        await nodes.Client.DialPeerAsync(nodes.Server.LocalPeer);

        await using var stream = await nodes.Client.NewStreamAsync(nodes.Server.LocalPeer, ["/trace/missing/1.0.0", Echo]);

        var outbound = await recorder.WaitForAsync(activity => Span("rxnet.stream.negotiate", nodes.Server.LocalPeer, "outbound")(activity) && Tag(activity, "libp2p.protocol") == Echo);
        Assert.Equal(["/trace/missing/1.0.0", Echo], (string[])outbound.GetTagItem("libp2p.protocols.offered")!);
        var inbound = await recorder.WaitForAsync(activity => Span("rxnet.stream.negotiate", nodes.Client.LocalPeer, "inbound")(activity) && Tag(activity, "libp2p.protocol") == Echo);
        Assert.Equal(ActivityStatusCode.Unset, inbound.Status);
    }

    [Fact]
    public async Task NewStream_ProtocolNotServed_MarksTheNegotiationFailed()
    {
        using var recorder = new ActivityRecorder();
        await using var nodes = await TwoNodes.StartAsync();

        await Assert.ThrowsAsync<NegotiationException>(() => nodes.Client.NewStreamAsync(nodes.Server.LocalPeer, ["/trace/missing/1.0.0"]));

        // Identify negotiates streams on the same connection: pick the one that offered the missing protocol.
        var failed = await recorder.WaitForAsync(activity => Span("rxnet.stream.negotiate", nodes.Server.LocalPeer, "outbound")(activity)
            && activity.GetTagItem("libp2p.protocols.offered") is string[] offered && offered.Contains("/trace/missing/1.0.0"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal(typeof(NegotiationException).FullName, Tag(failed, "error.type"));
    }

    [Fact]
    public async Task InboundStreams_OnADialedConnection_AreNotChildrenOfTheDial()
    {
        using var recorder = new ActivityRecorder();
        await using var nodes = await TwoNodes.StartAsync();
        using var serving = nodes.Client.SetStreamHandler(Echo, async stream => await stream.CloseWriteAsync());
        var serverSeesIt = nodes.Server.Events.OfType<Connected>().FirstAsync().ToTask();
        await nodes.Client.DialPeerAsync(nodes.Server.LocalPeer);

        // The dialer's side is up before the listener's: wait until the server has the connection,
        // or its NewStreamAsync below would try to dial a peer it has no address for.
        await serverSeesIt.WaitAsync(TimeSpan.FromSeconds(10));

        // The server opens a stream back over the client's connection: the client's stream loop
        // was started inside the dial span, and must not have kept it as the current span.
        await using var stream = await nodes.Server.NewStreamAsync(nodes.Client.LocalPeer, [Echo]);

        var inbound = await recorder.WaitForAsync(activity => Span("rxnet.stream.negotiate", nodes.Server.LocalPeer, "inbound")(activity) && Tag(activity, "libp2p.protocol") == Echo);
        Assert.Equal(default, inbound.ParentSpanId);
    }

    [Fact]
    public async Task RequestReply_TracesTheClientAndTheServer()
    {
        using var recorder = new ActivityRecorder();
        await using var nodes = await TwoNodes.StartAsync();
        using var server = new RequestReplyService(nodes.Server, "/trace/upper/1.0.0", (request, _) =>
            Task.FromResult<ReadOnlyMemory<byte>>(System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(request.Request.Span).ToUpperInvariant() + "!")));
        using var client = new RequestReplyService(nodes.Client, "/trace/upper/1.0.0");

        var reply = await client.RequestAsync(nodes.Server.LocalPeer, "hello"u8.ToArray());

        var call = await recorder.WaitForAsync(Span("rxnet.request", nodes.Server.LocalPeer));
        Assert.Equal(ActivityKind.Client, call.Kind);
        Assert.Equal("/trace/upper/1.0.0", Tag(call, "libp2p.protocol"));
        Assert.Equal("5", Tag(call, "rxnet.request.size"));
        Assert.Equal(reply.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Tag(call, "rxnet.reply.size"));
        // The call's stream (dial, negotiation) is traced inside it.
        var negotiation = await recorder.WaitForAsync(activity => Span("rxnet.stream.negotiate", nodes.Server.LocalPeer, "outbound")(activity) && Tag(activity, "libp2p.protocol") == "/trace/upper/1.0.0");
        Assert.Equal(call.TraceId, negotiation.TraceId);

        var served = await recorder.WaitForAsync(Span("rxnet.request", nodes.Client.LocalPeer));
        Assert.Equal(ActivityKind.Server, served.Kind);
        Assert.Equal("/trace/upper/1.0.0", Tag(served, "libp2p.protocol"));
        Assert.Equal(ActivityStatusCode.Unset, served.Status);
    }

    [Fact]
    public async Task RequestReply_ServerFailing_MarksBothSidesFailed()
    {
        using var recorder = new ActivityRecorder();
        await using var nodes = await TwoNodes.StartAsync();
        using var server = new RequestReplyService(nodes.Server, "/trace/fail/1.0.0", (_, _) => throw new InvalidOperationException("refused"));
        using var client = new RequestReplyService(nodes.Client, "/trace/fail/1.0.0");

        await Assert.ThrowsAsync<RequestFailedException>(() => client.RequestAsync(nodes.Server.LocalPeer, "x"u8.ToArray()));

        var call = await recorder.WaitForAsync(Span("rxnet.request", nodes.Server.LocalPeer));
        Assert.Equal(ActivityStatusCode.Error, call.Status);
        Assert.Equal(typeof(RequestFailedException).FullName, Tag(call, "error.type"));
        var served = await recorder.WaitForAsync(Span("rxnet.request", nodes.Client.LocalPeer));
        Assert.Equal(ActivityStatusCode.Error, served.Status);
    }

    [Fact]
    public void Source_IsNamedRxNetworkAsTheMeterIs()
    {
        Assert.Equal("Rx.Network", RxNetworkTelemetry.ActivitySourceName);
        Assert.Equal(RxNetworkTelemetry.MeterName, NetworkMetrics.MeterName);
    }
}
