using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Swarm;

namespace Rx.Network.Tests.Swarm;

public partial class SwarmNetworkTests
{
    private static Func<NetworkBuilder, NetworkBuilder> Limits(ConnectionLimits limits) => x => x.WithLimits(limits);

    [Fact]
    public async Task Limits_MaxPerPeer_ExtraConnectionFromSamePeerIsClosed()
    {
        await using var b = await SwarmKit.StartAsync(Limits(new ConnectionLimits { MaxPerPeer = 1 }));
        var twinKey = PrivateKey.Generate();
        await using var a1 = await SwarmKit.StartAsync(x => x.WithIdentity(twinKey), listen: false);
        await using var a2 = await SwarmKit.StartAsync(x => x.WithIdentity(twinKey), listen: false);
        var first = await SwarmKit.ConnectAsync(a1, b);

        // The twin's handshake succeeds (b learns the peer ID only from it), then b drops it: the
        // dialer sees its connection end (a reset, or an end of stream just before it).
        SwarmKit.Introduce(a2, b);
        using var a2Events = new EventRecorder(a2);
        try
        {
            var extra = await a2.DialPeerAsync(b.LocalPeer).WaitAsync(Wait);
            await a2Events.WaitForAsync<Disconnected>(e => e.Connection == extra);
        }
        catch (DialException)
        {
            // Dropped before the dialer finished: also a failure it sees.
        }

        Assert.Empty(a2.Connections);
        var kept = Assert.Single(b.ConnectionsToPeer(PeerId.FromPublicKey(twinKey.PublicKey)));
        Assert.Equal(first.LocalAddress, kept.RemoteAddress);
        await AssertEchoWorksAsync(a1, b);
    }

    [Fact]
    public async Task Limits_MaxInbound_ExtraInboundConnectionIsRefused()
    {
        await using var b = await SwarmKit.StartAsync(Limits(new ConnectionLimits { MaxInbound = 1 }));
        await using var a1 = await SwarmKit.StartAsync(listen: false);
        await using var a2 = await SwarmKit.StartAsync(listen: false);
        await SwarmKit.ConnectAsync(a1, b);

        SwarmKit.Introduce(a2, b);
        await Assert.ThrowsAsync<DialException>(() => a2.DialPeerAsync(b.LocalPeer).WaitAsync(Wait));
        Assert.Empty(a2.Connections);
        Assert.Single(b.Connections);
        await AssertEchoWorksAsync(a1, b);
    }

    [Fact]
    public async Task Limits_MaxOutbound_DialBeyondItFailsWithoutTouchingTheNetwork()
    {
        await using var a = await SwarmKit.StartAsync(Limits(new ConnectionLimits { MaxOutbound = 1 }), listen: false);
        await using var b = await SwarmKit.StartAsync();
        await using var c = await SwarmKit.StartAsync();
        await using var toC = new GatedProxy(c.ListenAddresses[0]);
        toC.Open();
        a.Peerstore.AddAddresses(c.LocalPeer, [toC.Address], AddressTtl.Permanent);
        await SwarmKit.ConnectAsync(a, b);

        var failure = await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(c.LocalPeer).WaitAsync(Wait));
        var limit = Assert.IsType<ConnectionLimitExceededException>(failure.InnerException);
        Assert.Equal(nameof(ConnectionLimits.MaxOutbound), limit.Limit);
        Assert.Equal(1, limit.Value);
        Assert.False(failure.IsBackoff);
        Assert.Equal(0, toC.Accepted);
        Assert.Equal(Connectedness.NotConnected, a.Connectedness(c.LocalPeer));

        // A local limit is not the peer's fault (no backoff): once there is room, the dial goes through.
        await a.ClosePeerAsync(b.LocalPeer).WaitAsync(Wait);
        await a.DialPeerAsync(c.LocalPeer).WaitAsync(Wait);
        Assert.Equal(Connectedness.Connected, a.Connectedness(c.LocalPeer));
        Assert.Equal(1, toC.Accepted);
    }

    [Fact]
    public async Task Limits_MaxPendingInbound_SilentConnectionsBeyondItAreDropped_TheRestAtTheUpgradeTimeout()
    {
        // On a manual clock the upgrade deadline never passes by itself: the pending ones stay pending.
        var time = new FakeTimeProvider();
        var upgradeTimeout = TimeSpan.FromSeconds(15);
        await using var b = await SwarmKit.StartAsync(x => x
            .WithTimeProvider(time)
            .WithLimits(new ConnectionLimits { MaxPendingInbound = 2 })
            .WithOptions(o => o with { Upgrade = new UpgradeOptions { Timeout = upgradeTimeout } }));
        var address = b.ListenAddresses[0];

        using var silent1 = await SwarmKit.ConnectSilentAsync(address);
        using var silent2 = await SwarmKit.ConnectSilentAsync(address);

        // The accept loop takes them in order: the third is over the limit.
        await SwarmKit.ConnectAndAwaitDropAsync(address);
        Assert.False(SwarmKit.IsClosedByPeer(silent1));
        Assert.False(SwarmKit.IsClosedByPeer(silent2));

        time.Advance(upgradeTimeout);
        await SwarmKit.AwaitClosedAsync(silent1);
        await SwarmKit.AwaitClosedAsync(silent2);
    }

    [Fact]
    public async Task UpgradeTimeout_SilentClient_IsDroppedAfterTheTimeout()
    {
        var timeout = TimeSpan.FromSeconds(1);
        await using var b = await SwarmKit.StartAsync(x => x.WithOptions(o => o with { Upgrade = new UpgradeOptions { Timeout = timeout } }));
        // Timed from before the connect: the listener's deadline starts at its accept, later, so a
        // busy machine can only make this longer (timing from after the connect returned flaked).
        var elapsed = Stopwatch.StartNew();
        using var silent = await SwarmKit.ConnectSilentAsync(b.ListenAddresses[0]);

        await SwarmKit.AwaitClosedAsync(silent);
        Assert.True(elapsed.Elapsed >= timeout - TimeSpan.FromMilliseconds(100), $"dropped after {elapsed.Elapsed}, before the timeout");
        Assert.Empty(b.Connections);
    }

    [Fact]
    public async Task DialPeerAsync_LiveAddressWins_TheLosingAttemptIsAbandoned()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        using var silentServer = new TcpListener(IPAddress.Loopback, 0);
        silentServer.Start();
        var silentAddress = Multiaddr.FromEndPoint((IPEndPoint)silentServer.LocalEndpoint);
        var accepting = silentServer.AcceptSocketAsync();

        // Both are dialed at once; the silent server never answers the negotiation.
        a.Peerstore.AddAddresses(b.LocalPeer, [silentAddress, b.ListenAddresses[0]], AddressTtl.Permanent);
        var connection = await a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait);
        Assert.Equal(b.ListenAddresses[0], connection.RemoteAddress);

        using var held = await accepting.WaitAsync(Wait);
        await SwarmKit.AwaitClosedAsync(held);
        Assert.Single(a.Connections);
    }

    /// <summary>Opens an echo stream from <paramref name="from"/> to <paramref name="to"/> and checks the round trip.</summary>
    private static async Task AssertEchoWorksAsync(INetwork from, INetwork to)
    {
        using var registration = to.SetStreamHandler(Echo, EchoAsync);
        var stream = await from.NewStreamAsync(to.LocalPeer, [Echo]).WaitAsync(Wait);
        await using (stream)
        {
            await stream.WriteAsync("ping"u8.ToArray());
            await stream.CloseWriteAsync();
            Assert.Equal("ping"u8.ToArray(), await ReadToEndAsync(stream));
        }
    }

    private static async Task EchoAsync(IStream stream)
    {
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read));
        }

        await stream.CloseWriteAsync();
    }

    private static async Task<byte[]> ReadToEndAsync(IStream stream)
    {
        var result = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait)) > 0)
        {
            result.Write(buffer, 0, read);
        }

        return result.ToArray();
    }
}
