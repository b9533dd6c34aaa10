using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography;
using Rx.Network.Identity;
using Rx.Network.Interop.Tests.Fixture;
using Rx.Network.Protocols;

namespace Rx.Network.Interop.Tests;

/// <summary>
/// libp2p TLS 1.3 (<c>/tls/1.0.0</c>) between Rx.Network and js-libp2p 3.x (@libp2p/tls 3.1.10),
/// TCP with TLS only on both sides, both directions: the muxer is agreed in ALPN.
/// </summary>
[Trait("Category", "Interop")]
public sealed class TlsInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CSharpDialsJs_PingAndIdentify_OverTls()
    {
        await using var js = await JsPeer.StartListenerAsync(security: "tls");
        await using var node = await InteropNode.StartAsync(listen: false, security: SecurityProtocol.Tls);
        var peer = node.AddPeer(js.LoopbackAddr);
        var identified = IdentifyService.Of(node.Network)!.Results.Where(r => r.Peer == peer).FirstAsync().ToTask();

        var rtt = await PingService.PingAsync(node.Network, peer).WaitAsync(Timeout);

        Assert.True(rtt > TimeSpan.Zero);
        var connection = Assert.Single(node.Network.ConnectionsToPeer(peer));
        Assert.Equal("/tls/1.0.0", connection.Security);
        Assert.Equal("/yamux/1.0.0", connection.Muxer);
        await identified.WaitAsync(Timeout);
        var info = node.Network.Peerstore.PeerInfo(peer)!;
        Assert.StartsWith("js-libp2p/", info.AgentVersion, StringComparison.Ordinal);
        Assert.Contains(InteropNode.Echo, info.Protocols);

        var opened = await js.WaitForEventAsync(
            e => e.GetProperty("event").GetString() == "connection-open"
                && e.GetProperty("remotePeer").GetString() == node.Network.LocalPeer.ToString(),
            Timeout);
        Assert.Equal("/tls/1.0.0", opened.GetProperty("encryption").GetString());
    }

    [Fact]
    public async Task CSharpDialsJs_EchoEightMebibytesAndTwoHundredStreams_OverTls()
    {
        await using var js = await JsPeer.StartListenerAsync(security: "tls");
        await using var node = await InteropNode.StartAsync(listen: false, security: SecurityProtocol.Tls);
        var peer = node.AddPeer(js.LoopbackAddr);
        var payload = InteropNode.Random(8 * 1024 * 1024);

        var echoed = await node.EchoAsync(peer, payload).WaitAsync(Timeout);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));

        var payloads = Enumerable.Range(0, 200).Select(i => InteropNode.Random(1000 + i * 37)).ToArray();
        var all = await Task.WhenAll(payloads.Select(p => node.EchoAsync(peer, p))).WaitAsync(Timeout);
        for (int i = 0; i < payloads.Length; i++)
        {
            Assert.Equal(payloads[i], all[i]);
        }

        Assert.Single(node.Network.ConnectionsToPeer(peer));
    }

    [Fact]
    public async Task CSharpDialsJs_ResetByJs_IsARemoteReset_OverTls()
    {
        await using var js = await JsPeer.StartListenerAsync(security: "tls");
        await using var node = await InteropNode.StartAsync(listen: false, security: SecurityProtocol.Tls);
        var peer = node.AddPeer(js.LoopbackAddr);
        var stream = await node.Network.NewStreamAsync(peer, [InteropNode.Reset]).WaitAsync(Timeout);

        await stream.WriteAsync(new byte[] { 1 });
        var error = await Assert.ThrowsAsync<StreamResetException>(async () =>
        {
            while (await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(Timeout) > 0)
            {
            }
        });

        Assert.True(error.Remote);
    }

    [Fact]
    public async Task CSharpDialsJs_WrongPeerId_IsRefused_OverTls()
    {
        await using var js = await JsPeer.StartListenerAsync(security: "tls");
        await using var node = await InteropNode.StartAsync(listen: false, security: SecurityProtocol.Tls);
        using var stranger = PrivateKey.Generate();
        var wrong = PeerId.FromPublicKey(stranger.PublicKey);
        var address = js.LoopbackAddr[..js.LoopbackAddr.LastIndexOf("/p2p/", StringComparison.Ordinal)] + "/p2p/" + wrong;
        node.AddPeer(address);

        var error = await Assert.ThrowsAsync<DialException>(() => node.Network.DialPeerAsync(wrong).WaitAsync(Timeout));

        var mismatch = Assert.IsType<PeerIdMismatchException>(Assert.Single(error.AddressErrors).Value);
        Assert.Equal(js.PeerId, mismatch.Actual?.ToString());
    }

    [Fact]
    public async Task JsDialsCSharp_AllChecks_OverTls()
    {
        await using var node = await InteropNode.StartAsync(listen: true, security: SecurityProtocol.Tls);
        var sawJsReset = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var securities = new List<string>();
        using var watch = node.Network.Events.Subscribe(e =>
        {
            if (e is Connected connected)
            {
                lock (securities)
                {
                    securities.Add(connected.Connection.Security + " " + connected.Connection.Muxer);
                }
            }

            if (e is StreamClosed { Error: StreamResetException { Remote: true } } closed && closed.Stream.Protocol == InteropNode.Echo)
            {
                sawJsReset.TrySetResult();
            }
        });
        string[] checks = ["ping", "identify", "echo", "streams", "reset", "wrong-peer"];

        var result = await JsPeer.RunDialAsync(node.Address, checks, bytes: 8 * 1024 * 1024, streams: 200, streamBytes: 4096, security: "tls");

        Assert.True(result.AllPassed, result.Describe());
        Assert.Equal(8 * 1024 * 1024, result["echo"].GetInt64("bytes"));
        Assert.Equal(200, result["streams"].GetInt64("streams"));
        Assert.Equal(IdentifyOptions.DefaultAgentVersion, result["identify"].GetString("agentVersion"));
        await sawJsReset.Task.WaitAsync(Timeout);
        lock (securities)
        {
            Assert.NotEmpty(securities);
            Assert.All(securities, s => Assert.Equal("/tls/1.0.0 /yamux/1.0.0", s));
        }
    }
}
