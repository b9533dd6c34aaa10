using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Xunit.Abstractions;

namespace Rx.Network.Reliability.Tests;

/// <summary>
/// Three hosts: this process in the root namespace and two <c>rxnet</c> nodes in their own network
/// namespaces. The link to one is cut and healed: its connection is declared dead (event,
/// Connectedness), its streams fail instead of hanging, the other host is untouched, and a re-dial
/// after healing succeeds.
/// </summary>
public sealed class NetnsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LinkCutAndHealed_ConnectionDeclaredDead_StreamsFail_RedialWorks()
    {
        if (NetnsLab.Unavailable() is { } reason)
        {
            output.WriteLine($"Skipped: {reason}.");
            return;
        }

        using var lab = new NetnsLab();
        string hostB = lab.AddHost(1);
        string hostC = lab.AddHost(2);
        await using var b = await RxnetProcess.ListenAsync($"/ip4/{hostB}/tcp/0", lab.Namespace(1));
        await using var c = await RxnetProcess.ListenAsync($"/ip4/{hostC}/tcp/0", lab.Namespace(2));

        // Keep-alive is what notices a silent link: short here, so the test takes seconds.
        var yamux = new YamuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(500), PingTimeout = TimeSpan.FromSeconds(1) };
        await using var a = await new NetworkBuilder().WithYamux(yamux).StartAsync();
        var peerB = Introduce(a, b);
        var peerC = Introduce(a, c);
        await a.DialPeerAsync(peerB).WaitAsync(Wait);
        await a.DialPeerAsync(peerC).WaitAsync(Wait);
        var bDisconnected = a.Events.OfType<Disconnected>().FirstAsync(d => d.Connection.RemotePeer == peerB).ToTask();

        var stream = await a.NewStreamAsync(peerB, ["/echo/1.0.0"]).WaitAsync(Wait);
        await stream.WriteAsync("before the cut"u8.ToArray());
        Assert.Equal("before the cut"u8.ToArray(), await ReadExactlyAsync(stream, 14));

        lab.SetLink(1, up: false);

        // A read in flight and writes beyond what the network holds: both must end, not hang.
        var reading = stream.ReadAsync(new byte[16]).AsTask();
        var writing = Task.Run(async () =>
        {
            var chunk = new byte[64 * 1024];
            while (true)
            {
                await stream.WriteAsync(chunk);
            }
        });
        var gone = await bDisconnected.WaitAsync(Wait);
        Assert.NotNull(gone.Error);
        Assert.NotEqual(Connectedness.Connected, a.Connectedness(peerB));
        Assert.IsAssignableFrom<IOException>(await Record.ExceptionAsync(() => reading.WaitAsync(Wait)));
        Assert.IsAssignableFrom<IOException>(await Record.ExceptionAsync(() => writing.WaitAsync(Wait)));
        await stream.DisposeAsync();

        // The other host never noticed.
        Assert.Equal(Connectedness.Connected, a.Connectedness(peerC));
        await PingService.PingAsync(a, peerC).WaitAsync(Wait);

        // While cut, a dial fails (typed) ...
        await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(peerB).WaitAsync(Wait));

        // ... and once healed, a dial goes through again (after the backoff the failure earned).
        lab.SetLink(1, up: true);
        var redialed = await RedialAsync(a, peerB);
        Assert.Equal(Connectedness.Connected, a.Connectedness(peerB));
        await PingService.PingAsync(a, peerB).WaitAsync(Wait);
        output.WriteLine($"re-dialed {peerB} at {redialed.RemoteAddress}");
    }

    private static PeerId Introduce(INetwork network, RxnetProcess node)
    {
        var peer = PeerId.Parse(node.PeerId);
        network.Peerstore.AddAddresses(peer, [Multiaddr.Parse(node.Address)], AddressTtl.Permanent);
        return peer;
    }

    /// <summary>Dials until the backoff the failed dial earned has passed: a bounded poll.</summary>
    private static async Task<IConnection> RedialAsync(INetwork network, PeerId peer)
    {
        DialException? last = null;
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                return await network.DialPeerAsync(peer).WaitAsync(Wait);
            }
            catch (DialException e) when (e.IsBackoff)
            {
                last = e;
                using var backoff = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
                await backoff.WaitForNextTickAsync();
            }
        }

        throw new TimeoutException("The re-dial did not succeed.", last);
    }

    private static async Task<byte[]> ReadExactlyAsync(IStream stream, int count)
    {
        var buffer = new byte[count];
        int offset = 0;
        while (offset < count)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(offset)).AsTask().WaitAsync(Wait);
            Assert.True(read > 0, "The stream ended early.");
            offset += read;
        }

        return buffer;
    }
}
