using System.Net.Sockets;
using static Rx.Network.Mock.Tests.MockKit;

namespace Rx.Network.Mock.Tests;

/// <summary>Partitions: links removed or down, mid-stream, and recovery.</summary>
public sealed partial class MockNetworkTests
{
    private const string HoldProtocol = "/test/hold/1.0.0";

    [Fact]
    public async Task UnlinkPeers_MidStreamFailsStreamsAndDisconnectsBothSides()
    {
        var (net, a, b, link) = await TwoPeersAsync(new LinkOptions { Latency = Ms(10) });
        await using var _net = net;
        using var log = Record(a, b);
        var serverRead = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = b.SetStreamHandler(HoldProtocol, async stream =>
        {
            try
            {
                await stream.ReadAsync(new byte[1]);
                serverRead.TrySetException(new InvalidOperationException("The read returned."));
            }
            catch (Exception e)
            {
                serverRead.TrySetResult(e);
            }
        });
        var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, [HoldProtocol]));
        var clientRead = Task.Run(async () => await stream.ReadAsync(new byte[1]));
        await net.AdvanceByAsync(Ms(50));

        Assert.True(net.UnlinkPeers(a.LocalPeer, b.LocalPeer));
        Assert.False(net.UnlinkPeers(a.LocalPeer, b.LocalPeer));
        await net.RunUntilIdleAsync();

        var clientError = await Assert.ThrowsAsync<MuxerClosedException>(() => clientRead.WaitAsync(Patience));
        var serverError = Assert.IsType<MuxerClosedException>(await serverRead.Task.WaitAsync(Patience));
        Assert.All([clientError, serverError], e => Assert.IsType<TransportException>(Cause(e)));
        Assert.Equal(SocketError.ConnectionReset, ((TransportException)Cause(clientError)).SocketError);
        Assert.True(link.IsRemoved);
        Assert.Null(net.GetLink(a.LocalPeer, b.LocalPeer));
        Assert.Equal(Connectedness.NotConnected, a.Connectedness(b.LocalPeer));
        Assert.Equal(Connectedness.NotConnected, b.Connectedness(a.LocalPeer));
        Assert.NotNull(Assert.Single(log.Of<Disconnected>(0)).Error);
        Assert.NotNull(Assert.Single(log.Of<Disconnected>(1)).Error);
        Assert.Equal(2, log.Events.Count(e => e.Event is StreamClosed { Error: not null }));
    }

    [Fact]
    public async Task LinkPeers_AfterUnlinkLetsPeersReconnect()
    {
        var (net, a, b, _) = await TwoPeersAsync(new LinkOptions { Latency = Ms(10) });
        await using var _net = net;
        net.UnlinkPeers(a.LocalPeer, b.LocalPeer);
        await Assert.ThrowsAsync<DialException>(() => net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer));
        Assert.Equal(Connectedness.CannotConnect, a.Connectedness(b.LocalPeer));

        net.LinkPeers(a.LocalPeer, b.LocalPeer, new LinkOptions { Latency = Ms(10) });

        // The failed dial put b in backoff (1 s): wait it out in virtual time.
        await net.AdvanceByAsync(TimeSpan.FromSeconds(1));
        await net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
        Assert.Equal(Connectedness.Connected, b.Connectedness(a.LocalPeer));
    }

    [Fact]
    public async Task Options_ShortOutageHoldsBytesUntilTheLinkIsUp()
    {
        var (net, a, b, link) = await TwoPeersAsync(new LinkOptions { Latency = Ms(100) });
        await using var _net = net;
        var received = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = b.SetStreamHandler(MessageProtocol, async stream =>
        {
            await ReadExactlyAsync(stream, new byte[5]);
            received.TrySetResult(net.Now);
        });
        var stream = await net.RunAsync(() => a.NewStreamAsync(b.LocalPeer, [MessageProtocol]));

        link.Options = link.Options with { Down = true };
        await net.RunAsync(() => stream.WriteAsync("hello"u8.ToArray()).AsTask());
        await net.AdvanceByAsync(TimeSpan.FromSeconds(5));

        Assert.False(received.Task.IsCompleted);
        Assert.True(link.HeldCount > 0);

        var up = net.Now;
        link.Options = link.Options with { Down = false };
        await net.AdvanceByAsync(Ms(100));

        Assert.Equal(up + Ms(100), await received.Task.WaitAsync(Patience));
        Assert.Equal(0, link.HeldCount);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
    }

    [Fact]
    public async Task Options_LongOutageEndsConnectionsByKeepAliveTimeout()
    {
        var (net, a, b, link) = await TwoPeersAsync(new LinkOptions { Latency = Ms(10) });
        await using var _net = net;
        using var log = Record(a, b);

        link.Options = link.Options with { Down = true };

        // Yamux pings every 30 s and gives up after 10 s more.
        await net.AdvanceByAsync(TimeSpan.FromSeconds(41));

        Assert.Equal(Connectedness.NotConnected, a.Connectedness(b.LocalPeer));
        Assert.Equal(Connectedness.NotConnected, b.Connectedness(a.LocalPeer));
        Assert.IsType<TimeoutException>(Assert.Single(log.Of<Disconnected>(0)).Error);
        Assert.IsType<TimeoutException>(Assert.Single(log.Of<Disconnected>(1)).Error);

        link.Options = link.Options with { Down = false };
        await net.ConnectPeersAsync(a.LocalPeer, b.LocalPeer);
        Assert.Equal(Connectedness.Connected, b.Connectedness(a.LocalPeer));
    }

    private static Exception Cause(Exception error)
    {
        while (error.InnerException is { } inner)
        {
            error = inner;
        }

        return error;
    }
}
