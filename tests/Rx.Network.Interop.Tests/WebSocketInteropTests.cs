using System.Security.Cryptography;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Interop.Tests.Fixture;
using Rx.Network.Protocols;

namespace Rx.Network.Interop.Tests;

/// <summary>
/// Rx.Network and js-libp2p 3.3 (@libp2p/websockets 10.1.21, Noise, yamux) over /ws, both
/// directions: ping, identify, 8 MiB echo, 200 concurrent streams, resets, a wrong peer ID.
/// </summary>
[Trait("Category", "Interop")]
public sealed class WebSocketInteropTests
{
    private const string Ws = "/ip4/127.0.0.1/tcp/0/ws";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CSharpDialsJs_PingEchoStreamsAndResets()
    {
        await using var js = await JsPeer.StartListenerAsync(listenAddress: Ws);
        Assert.Contains("/ws/p2p/", js.LoopbackAddr, StringComparison.Ordinal);
        await using var node = await InteropNode.StartAsync(listen: false);
        var peer = node.AddPeer(js.LoopbackAddr);

        Assert.True(await PingService.PingAsync(node.Network, peer).WaitAsync(Timeout) > TimeSpan.Zero);
        var connection = Assert.Single(node.Network.ConnectionsToPeer(peer));
        Assert.True(connection.RemoteAddress.Contains(MultiaddrProtocol.Ws));
        Assert.Equal("/noise", connection.Security);
        Assert.Equal("/yamux/1.0.0", connection.Muxer);

        var payload = InteropNode.Random(8 * 1024 * 1024);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(await node.EchoAsync(peer, payload).WaitAsync(Timeout)));

        var payloads = Enumerable.Range(0, 200).Select(i => InteropNode.Random(1000 + i * 37)).ToArray();
        var echoed = await Task.WhenAll(payloads.Select(p => node.EchoAsync(peer, p))).WaitAsync(Timeout);
        Assert.All(Enumerable.Range(0, 200), i => Assert.Equal(payloads[i], echoed[i]));

        // js resets a stream: the C# reader sees a remote reset.
        var reset = await node.Network.NewStreamAsync(peer, [InteropNode.Reset]).WaitAsync(Timeout);
        await reset.WriteAsync(new byte[] { 1 });
        var error = await Assert.ThrowsAsync<StreamResetException>(async () =>
        {
            while (await reset.ReadAsync(new byte[16]).AsTask().WaitAsync(Timeout) > 0)
            {
            }
        });
        Assert.True(error.Remote);

        // C# resets a stream: js logs it.
        var echo = await node.Network.NewStreamAsync(peer, [InteropNode.Echo]).WaitAsync(Timeout);
        await echo.WriteAsync(new byte[] { 1, 2, 3 });
        Assert.True(await echo.ReadAsync(new byte[3]).AsTask().WaitAsync(Timeout) > 0);
        echo.Reset();
        await js.WaitForEventAsync(
            e => e.GetProperty("event").GetString() == "stream-close"
                && e.TryGetProperty("protocol", out var p) && p.GetString() == InteropNode.Echo
                && e.TryGetProperty("reset", out var r) && r.GetBoolean(),
            Timeout);

        Assert.Single(node.Network.ConnectionsToPeer(peer));
    }

    [Fact]
    public async Task CSharpDialsJs_Identify_SeesJsProtocols()
    {
        await using var js = await JsPeer.StartListenerAsync(listenAddress: Ws);
        await using var node = await InteropNode.StartAsync(listen: false);
        var peer = node.AddPeer(js.LoopbackAddr);
        var connection = await node.Network.DialPeerAsync(peer).WaitAsync(Timeout);

        var info = await IdentifyService.Of(node.Network)!.IdentifyAsync(connection).WaitAsync(Timeout);

        Assert.StartsWith("js-libp2p/", info.AgentVersion, StringComparison.Ordinal);
        Assert.Contains(InteropNode.Echo, info.Protocols);
        Assert.Contains(info.ListenAddresses, a => a.Contains(MultiaddrProtocol.Ws));
        Assert.Equal(connection.LocalAddress, info.ObservedAddress);
    }

    [Fact]
    public async Task CSharpDialsJs_WrongPeerId_IsRejected()
    {
        await using var js = await JsPeer.StartListenerAsync(listenAddress: Ws);
        await using var node = await InteropNode.StartAsync(listen: false);
        using var stranger = PrivateKey.Generate();
        var wrong = PeerId.FromPublicKey(stranger.PublicKey);
        node.AddPeer(js.LoopbackAddr[..js.LoopbackAddr.LastIndexOf("/p2p/", StringComparison.Ordinal)] + "/p2p/" + wrong);

        var error = await Assert.ThrowsAsync<DialException>(() => node.Network.DialPeerAsync(wrong).WaitAsync(Timeout));

        Assert.Contains(error.AddressErrors, e => e.Value is PeerIdMismatchException);
    }

    [Fact]
    public async Task JsDialsCSharp_AllChecksPass()
    {
        await using var node = await InteropNode.StartAsync(listenAddress: Ws);
        Assert.Contains("/ws/p2p/", node.Address, StringComparison.Ordinal);
        string[] checks = ["ping", "identify", "echo", "streams", "reset", "sink", "wrong-peer"];

        var result = await JsPeer.RunDialAsync(node.Address, checks, bytes: 8 * 1024 * 1024, streams: 200, streamBytes: 4096);

        Assert.True(result.AllPassed, result.Describe());
        Assert.Equal(8 * 1024 * 1024, result["echo"].GetInt64("bytes"));
        Assert.Equal(200, result["streams"].GetInt64("streams"));
    }
}
