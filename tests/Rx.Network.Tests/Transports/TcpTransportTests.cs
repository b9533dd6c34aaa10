using System.Net;
using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Tests.Negotiation;
using Rx.Network.Transports;
using static Rx.Network.Tests.Transports.TcpTestKit;

namespace Rx.Network.Tests.Transports;

public class TcpTransportTests
{
    private const string PeerId = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";

    [Theory]
    [InlineData("/ip4/1.2.3.4/tcp/1", true)]
    [InlineData("/ip6/::1/tcp/4001", true)]
    [InlineData("/dns/example.com/tcp/1", true)]
    [InlineData("/dns4/example.com/tcp/1", true)]
    [InlineData("/dns6/example.com/tcp/1", true)]
    [InlineData("/ip4/1.2.3.4/tcp/1/p2p/" + PeerId, true)]
    [InlineData("/ip6zone/3/ip6/fe80::1/tcp/1", true)]
    [InlineData("/ip6zone/eth0/ip6/fe80::1/tcp/1", false)]
    [InlineData("/ip4/1.2.3.4/udp/1", false)]
    [InlineData("/ip4/1.2.3.4/tcp/1/ws", false)]
    [InlineData("/ip4/1.2.3.4/tcp/1/p2p/" + PeerId + "/p2p-circuit", false)]
    [InlineData("/ip4/1.2.3.4", false)]
    [InlineData("/p2p/" + PeerId, false)]
    [InlineData("/dnsaddr/example.com/tcp/1", false)]
    public void CanDial_AcceptsHostAndTcpPortOnly(string address, bool expected)
    {
        Assert.Equal(expected, new TcpTransport().CanDial(Multiaddr.Parse(address)));
    }

    [Theory]
    [InlineData("/ip4/0.0.0.0/tcp/0", true)]
    [InlineData("/ip6/::/tcp/4001", true)]
    [InlineData("/dns4/localhost/tcp/0", false)]
    [InlineData("/ip4/127.0.0.1/tcp/0/p2p/" + PeerId, false)]
    [InlineData("/ip4/127.0.0.1/udp/0", false)]
    public void CanListen_AcceptsIpAndTcpPortOnly(string address, bool expected)
    {
        Assert.Equal(expected, new TcpTransport().CanListen(Multiaddr.Parse(address)));
    }

    [Theory]
    [InlineData("ip4", "127.0.0.1")]
    [InlineData("ip6", "::1")]
    public async Task ListenAsync_Port0_ReportsTheBoundPort(string family, string host)
    {
        await using var listener = await new TcpTransport().ListenAsync(AnyLoopback(family));
        var endPoint = (IPEndPoint)listener.LocalAddress.ToEndPoint();
        Assert.Equal(IPAddress.Parse(host), endPoint.Address);
        Assert.NotEqual(0, endPoint.Port);
        Assert.Equal($"/{family}/{host}/tcp/{endPoint.Port}", listener.LocalAddress.ToString());
    }

    [Theory]
    [InlineData("ip4")]
    [InlineData("ip6")]
    public async Task DialAsync_Accepted_ExchangesBytesBothWays(string family)
    {
        var transport = new TcpTransport();
        await using var listener = await transport.ListenAsync(AnyLoopback(family));
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (dialed)
        await using (accepted)
        {
            Assert.Equal(listener.LocalAddress, dialed.RemoteAddress);
            Assert.Equal(dialed.LocalAddress, accepted.RemoteAddress);
            Assert.Equal(accepted.LocalAddress, listener.LocalAddress);

            await WriteAsync(dialed, [1, 2, 3]);
            Assert.Equal([1, 2, 3], await ReadExactlyAsync(accepted.Pipe.Input, 3));
            await WriteAsync(accepted, [4, 5]);
            Assert.Equal([4, 5], await ReadExactlyAsync(dialed.Pipe.Input, 2));
        }
    }

    [Theory]
    [InlineData("dns4")]
    [InlineData("dns")]
    public async Task DialAsync_LocalhostName_ResolvesAndConnects(string protocol)
    {
        var transport = new TcpTransport();
        await using var listener = await transport.ListenAsync(Any4);
        var (dialed, accepted) = await ConnectAsync(transport, listener, Multiaddr.Parse($"/{protocol}/localhost/tcp/{PortOf(listener.LocalAddress)}"));
        await using (dialed)
        await using (accepted)
        {
            Assert.Equal(listener.LocalAddress, dialed.RemoteAddress);
        }
    }

    [Fact]
    public async Task DialAsync_TrailingPeerId_IsIgnored()
    {
        var transport = new TcpTransport();
        await using var listener = await transport.ListenAsync(Any4);
        var (dialed, accepted) = await ConnectAsync(transport, listener, Multiaddr.Parse($"{listener.LocalAddress}/p2p/{PeerId}"));
        await dialed.DisposeAsync();
        await accepted.DisposeAsync();
    }

    [Fact]
    public async Task DialAsync_ResolvedAddressesAreTriedInOrder()
    {
        await using var listener = await new TcpTransport().ListenAsync(Any4);
        int port = PortOf(listener.LocalAddress);

        // The same port on ::1 is held without listening, so the first candidate surely refuses.
        using var closed = BindWithoutListening(IPAddress.IPv6Loopback, port);
        var transport = new TcpTransport(new TcpTransportOptions
        {
            Resolver = (_, _, _) => Task.FromResult(new[] { IPAddress.IPv6Loopback, IPAddress.Loopback }),
        });
        var accepting = listener.AcceptAsync().AsTask();
        await using var dialed = await transport.DialAsync(Multiaddr.Parse($"/dns/peer.test/tcp/{port}")).WaitAsync(Wait);
        await using var accepted = await accepting.WaitAsync(Wait);
        Assert.Equal(listener.LocalAddress, dialed.RemoteAddress);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task DialAsync_ClosedPort_ThrowsTransportExceptionRefused(string host)
    {
        using var closed = BindWithoutListening(IPAddress.Parse(host));
        var address = Multiaddr.FromEndPoint((IPEndPoint)closed.LocalEndPoint!);

        var e = await Assert.ThrowsAsync<TransportException>(() => new TcpTransport().DialAsync(address).WaitAsync(Wait));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketError);
        Assert.Equal(address, e.Address);
        Assert.IsType<SocketException>(e.InnerException);
        Assert.Contains(address.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DialAsync_NameWithoutAddressOfTheFamily_ThrowsHostNotFound()
    {
        var transport = new TcpTransport(new TcpTransportOptions
        {
            Resolver = (_, _, _) => Task.FromResult(new[] { IPAddress.IPv6Loopback }),
        });
        var e = await Assert.ThrowsAsync<TransportException>(() => transport.DialAsync(Multiaddr.Parse("/dns4/peer.test/tcp/1")).WaitAsync(Wait));
        Assert.Equal(SocketError.HostNotFound, e.SocketError);
    }

    [Fact]
    public async Task DialAsync_ResolverFails_ThrowsTransportException()
    {
        var transport = new TcpTransport(new TcpTransportOptions
        {
            Resolver = (_, _, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
        });
        var e = await Assert.ThrowsAsync<TransportException>(() => transport.DialAsync(Multiaddr.Parse("/dns/nowhere.test/tcp/1")).WaitAsync(Wait));
        Assert.Equal(SocketError.HostNotFound, e.SocketError);
    }

    [Fact]
    public async Task DialAsync_CallerCancels_ThrowsOperationCanceled()
    {
        var resolving = new TaskCompletionSource();
        var transport = new TcpTransport(new TcpTransportOptions { Resolver = HangingResolver(resolving) });
        using var cts = new CancellationTokenSource();
        var dialing = transport.DialAsync(Multiaddr.Parse("/dns4/slow.test/tcp/1"), cts.Token);
        await resolving.Task.WaitAsync(Wait);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dialing.WaitAsync(Wait));
    }

    [Fact]
    public async Task DialAsync_AlreadyCanceled_ThrowsOperationCanceled()
    {
        var transport = new TcpTransport();
        await using var listener = await transport.ListenAsync(Any4);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transport.DialAsync(listener.LocalAddress, new CancellationToken(true)).WaitAsync(Wait));
    }

    [Fact]
    public async Task DialAsync_ConnectTimeoutElapses_ThrowsTransportExceptionTimedOut()
    {
        var time = new ManualTimeProvider();
        var resolving = new TaskCompletionSource();
        var transport = new TcpTransport(new TcpTransportOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            TimeProvider = time,
            Resolver = HangingResolver(resolving),
        });
        var address = Multiaddr.Parse("/dns4/slow.test/tcp/1");
        var dialing = transport.DialAsync(address);
        await resolving.Task.WaitAsync(Wait);

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(dialing.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var e = await Assert.ThrowsAsync<TransportException>(() => dialing.WaitAsync(Wait));
        Assert.Equal(SocketError.TimedOut, e.SocketError);
        Assert.Equal(address, e.Address);
        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.Equal(0, time.ArmedTimers);
    }

    [Fact]
    public async Task ListenAsync_PortInUse_ThrowsTransportException()
    {
        var transport = new TcpTransport();
        await using var first = await transport.ListenAsync(Any4);
        var e = await Assert.ThrowsAsync<TransportException>(() => transport.ListenAsync(first.LocalAddress));
        Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketError);
        Assert.Equal(first.LocalAddress, e.Address);
    }

    [Fact]
    public async Task Arguments_AreChecked()
    {
        var transport = new TcpTransport();
        Assert.Throws<ArgumentNullException>(() => transport.CanDial(null!));
        Assert.Throws<ArgumentNullException>(() => transport.CanListen(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => transport.DialAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => transport.ListenAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => transport.DialAsync(Multiaddr.Parse("/ip4/127.0.0.1/udp/1")));
        await Assert.ThrowsAsync<ArgumentException>(() => transport.ListenAsync(Multiaddr.Parse("/dns4/localhost/tcp/0")));
    }

    private static Func<string, AddressFamily, CancellationToken, Task<IPAddress[]>> HangingResolver(TaskCompletionSource started) =>
        async (_, _, ct) =>
        {
            started.TrySetResult();
            var never = new TaskCompletionSource<IPAddress[]>();
            using (ct.Register(() => never.TrySetCanceled(ct)))
            {
                return await never.Task;
            }
        };
}
