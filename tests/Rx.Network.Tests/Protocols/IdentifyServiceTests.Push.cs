using Microsoft.Extensions.Time.Testing;
using Rx.Network.Protocols;
using static Rx.Network.Tests.Protocols.IdentifyTestKit;

namespace Rx.Network.Tests.Protocols;

public partial class IdentifyServiceTests
{
    /// <summary>Two networks on <paramref name="time"/>, connected and identified both ways.</summary>
    private static async Task<(INetwork A, INetwork B)> IdentifiedPairAsync(TimeProvider? time = null)
    {
        Func<NetworkBuilder, NetworkBuilder> configure = builder => time is null ? builder : builder.WithTimeProvider(time);
        var a = await StartAsync(configure);
        var b = await StartAsync(configure);
        var aLearnsB = NextResult(a, r => r.Peer == b.LocalPeer);
        var bLearnsA = NextResult(b, r => r.Peer == a.LocalPeer);
        await ConnectAsync(a, b);
        await aLearnsB;
        await bLearnsA;
        return (a, b);
    }

    [Fact]
    public async Task Push_AfterSetStreamHandler_UpdatesTheRemotePeerstore_AfterTheDelay()
    {
        var time = new FakeTimeProvider();
        var (a, b) = await IdentifiedPairAsync(time);
        await using (a)
        await using (b)
        {
            var pushed = NextResult(a, r => r.IsPush && r.Protocols.Contains("/late/1.0.0"));

            using var late = b.SetStreamHandler("/late/1.0.0", _ => Task.CompletedTask);
            using var later = b.SetStreamHandler("/later/1.0.0", _ => Task.CompletedTask);
            time.Advance(IdentifyOptions.Default.PushDelay);
            var result = await pushed;

            Assert.Equal(b.LocalPeer, result.Peer);
            Assert.Null(result.ObservedAddress);
            var protocols = a.Peerstore.PeerInfo(b.LocalPeer)!.Protocols;
            Assert.Contains("/late/1.0.0", protocols);
            Assert.Contains("/later/1.0.0", protocols);
            Assert.Contains(IdentifyService.ProtocolId, protocols);
        }
    }

    [Fact]
    public async Task PushAsync_SendsToIdentifiedPeers_AndReportsHowMany()
    {
        var (a, b) = await IdentifiedPairAsync();
        await using (a)
        await using (b)
        {
            using var custom = b.SetStreamHandler(Custom, _ => Task.CompletedTask);
            var pushed = NextResult(a, r => r.IsPush && r.Protocols.Contains(Custom));

            int accepted = await Service(b).PushAsync().WaitAsync(Wait);

            Assert.Equal(1, accepted);
            await pushed;
            Assert.Contains(Custom, a.Peerstore.PeerInfo(b.LocalPeer)!.Protocols);
        }
    }

    [Fact]
    public async Task PushAsync_PeerNotKnownToServePush_IsSkipped()
    {
        await using var a = await StartAsync(builder => builder.WithoutIdentify());
        await using var b = await StartAsync();
        await ConnectAsync(b, a);

        Assert.Equal(0, await Service(b).PushAsync().WaitAsync(Wait));
    }

    [Fact]
    public async Task ServePush_PartialMessage_MergesOnlyThePresentFields()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync(builder => builder.WithoutIdentify());
        await ConnectAsync(b, a);
        a.Peerstore.SetProtocols(b.LocalPeer, ["/kept/1.0.0"]);
        a.Peerstore.SetVersions(b.LocalPeer, "old/1.0", "ipfs/0.1.0");
        var pushed = NextResult(a, r => r.IsPush);

        var stream = await b.NewStreamAsync(a.LocalPeer, [IdentifyService.PushProtocolId]).WaitAsync(Wait);
        await using (stream)
        {
            await stream.WriteAsync(Framed(new Rx.Network.Encoding.Proto.Identify { AgentVersion = "new/2.0" }));
        }

        var result = await pushed;
        Assert.Empty(result.Protocols);
        var info = a.Peerstore.PeerInfo(b.LocalPeer)!;
        Assert.Equal("new/2.0", info.AgentVersion);
        Assert.Equal("ipfs/0.1.0", info.ProtocolVersion);
        Assert.Equal(["/kept/1.0.0"], info.Protocols);
    }

    [Fact]
    public async Task ServePush_KeyOfAnotherPeer_IsRejected()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync(builder => builder.WithoutIdentify());
        await ConnectAsync(b, a);

        var stream = await b.NewStreamAsync(a.LocalPeer, [IdentifyService.PushProtocolId]).WaitAsync(Wait);
        await using (stream)
        {
            await stream.WriteAsync(Framed(Message(StrangerKey(), "liar/1.0", "/stolen/1.0.0")));
            await stream.CloseWriteAsync();

            Assert.IsType<StreamResetException>(await DrainAsync(stream));
        }

        var info = a.Peerstore.PeerInfo(b.LocalPeer)!;
        Assert.Null(info.AgentVersion);
        Assert.DoesNotContain("/stolen/1.0.0", info.Protocols);
    }
}
