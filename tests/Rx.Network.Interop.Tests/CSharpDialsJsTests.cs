using System.Security.Cryptography;
using Rx.Network.Identity;
using Rx.Network.Interop.Tests.Fixture;
using Rx.Network.Protocols;

namespace Rx.Network.Interop.Tests;

/// <summary>A C# node dials a js-libp2p 3.x listener (js's defaults: muxers offered inside Noise).</summary>
[Trait("Category", "Interop")]
public sealed class CSharpDialsJsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ping_MeasuresARoundTrip()
    {
        await using var js = await JsPeer.StartListenerAsync();
        await using var node = await InteropNode.StartAsync(listen: false);
        var peer = node.AddPeer(js.LoopbackAddr);

        var rtt = await PingService.PingAsync(node.Network, peer).WaitAsync(Timeout);

        Assert.True(rtt > TimeSpan.Zero);
        var connection = Assert.Single(node.Network.ConnectionsToPeer(peer));
        Assert.Equal("/noise", connection.Security);
        Assert.Equal("/yamux/1.0.0", connection.Muxer);
        Assert.Equal(Connectedness.Connected, node.Network.Connectedness(peer));
    }

    [Fact]
    public async Task Echo_EightMebibytes_ComesBackIdentical()
    {
        await using var js = await JsPeer.StartListenerAsync();
        await using var node = await InteropNode.StartAsync(listen: false);
        var peer = node.AddPeer(js.LoopbackAddr);
        var payload = InteropNode.Random(8 * 1024 * 1024);

        var echoed = await node.EchoAsync(peer, payload).WaitAsync(Timeout);

        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));
    }

    [Fact]
    public async Task Echo_TwoHundredConcurrentStreams_EachGetsItsOwnPayload()
    {
        await using var js = await JsPeer.StartListenerAsync();
        await using var node = await InteropNode.StartAsync(listen: false);
        var peer = node.AddPeer(js.LoopbackAddr);
        await node.Network.DialPeerAsync(peer).WaitAsync(Timeout);
        var payloads = Enumerable.Range(0, 200).Select(i => InteropNode.Random(1000 + i * 37)).ToArray();

        var echoed = await Task.WhenAll(payloads.Select(p => node.EchoAsync(peer, p))).WaitAsync(Timeout);

        for (int i = 0; i < payloads.Length; i++)
        {
            Assert.Equal(payloads[i], echoed[i]);
        }

        Assert.Single(node.Network.ConnectionsToPeer(peer));
    }

    [Fact]
    public async Task Reset_ByJs_IsObservedAsRemoteStreamReset()
    {
        await using var js = await JsPeer.StartListenerAsync();
        await using var node = await InteropNode.StartAsync(listen: false);
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
    public async Task Reset_ByCSharp_IsObservedByJs()
    {
        await using var js = await JsPeer.StartListenerAsync();
        await using var node = await InteropNode.StartAsync(listen: false);
        var peer = node.AddPeer(js.LoopbackAddr);
        var stream = await node.Network.NewStreamAsync(peer, [InteropNode.Echo]).WaitAsync(Timeout);
        await stream.WriteAsync(new byte[] { 1, 2, 3 });
        Assert.Equal(3, await ReadAtLeastAsync(stream, 3));

        stream.Reset();

        await js.WaitForEventAsync(
            e => e.GetProperty("event").GetString() == "stream-close"
                && e.TryGetProperty("protocol", out var p) && p.GetString() == InteropNode.Echo
                && e.TryGetProperty("reset", out var r) && r.GetBoolean(),
            Timeout);
    }

    [Fact]
    public async Task Dial_WrongPeerId_IsRejected()
    {
        await using var js = await JsPeer.StartListenerAsync();
        await using var node = await InteropNode.StartAsync(listen: false);
        using var stranger = PrivateKey.Generate();
        var wrong = PeerId.FromPublicKey(stranger.PublicKey);
        var address = js.LoopbackAddr[..js.LoopbackAddr.LastIndexOf("/p2p/", StringComparison.Ordinal)] + "/p2p/" + wrong;
        node.AddPeer(address);

        var error = await Assert.ThrowsAsync<DialException>(() => node.Network.DialPeerAsync(wrong).WaitAsync(Timeout));

        Assert.Contains(error.AddressErrors, e => e.Value is PeerIdMismatchException);
        Assert.Equal(Connectedness.CannotConnect, node.Network.Connectedness(wrong));
    }

    private static async Task<int> ReadAtLeastAsync(IStream stream, int count)
    {
        var buffer = new byte[count];
        int total = 0;
        while (total < count)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(total)).AsTask().WaitAsync(Timeout);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
