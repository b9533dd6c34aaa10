using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Transports;
using static Rx.Network.Tests.Transports.TcpTestKit;
using static Rx.Network.Tests.Transports.WebSocketTestKit;

namespace Rx.Network.Tests.Transports;

public sealed class WebSocketTransportTests
{
    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/1/ws", true, true)]
    [InlineData("/ip6/::1/tcp/1/ws", true, true)]
    [InlineData("/dns4/example.com/tcp/1/ws", true, false)]
    [InlineData("/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA", true, false)]
    [InlineData("/ip4/127.0.0.1/tcp/1/wss", true, false)]
    [InlineData("/ip4/127.0.0.1/tcp/1/tls/ws", true, false)]
    [InlineData("/dns4/example.com/tcp/443/tls/sni/example.com/ws", true, false)]
    [InlineData("/ip4/127.0.0.1/tcp/1", false, false)]
    [InlineData("/ip4/127.0.0.1/tcp/1/ws/ws", false, false)]
    [InlineData("/ip4/127.0.0.1/udp/1/ws", false, false)]
    [InlineData("/ip4/127.0.0.1/tcp/1/tls", false, false)]
    public void CanDialAndCanListen_FollowTheAddressShape(string address, bool dial, bool listen)
    {
        var transport = new WebSocketTransport();
        Assert.Equal(dial, transport.CanDial(Multiaddr.Parse(address)));
        Assert.Equal(listen, transport.CanListen(Multiaddr.Parse(address)));
    }

    [Fact]
    public void CanListen_SecureAddresses_OnlyWithACertificate()
    {
        using var certificate = SelfSigned();
        var secure = new WebSocketTransport(options: new WebSocketTransportOptions { ServerCertificate = certificate });
        Assert.True(secure.CanListen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/wss")));
        Assert.True(secure.CanListen(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/tls/ws")));
        var plain = new WebSocketTransport();
        Assert.Throws<ArgumentException>(() => { _ = plain.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/wss")); });
    }

    [Fact]
    public void AcceptKey_MatchesTheRfc6455Example()
    {
        // RFC 6455 section 1.3.
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Theory]
    [InlineData("ip4")]
    [InlineData("ip6")]
    public async Task Bytes_FlowBothWays_AndCloseIsAClean_End(string family)
    {
        var transport = new WebSocketTransport();
        await using var listener = await transport.ListenAsync(family == "ip6" ? Ws6 : Ws4);
        Assert.EndsWith("/ws", listener.LocalAddress.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(0, PortOf(listener.LocalAddress));

        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (dialed)
        await using (accepted)
        {
            Assert.EndsWith("/ws", dialed.RemoteAddress.ToString(), StringComparison.Ordinal);
            Assert.EndsWith("/ws", accepted.RemoteAddress.ToString(), StringComparison.Ordinal);
            var big = new byte[1024 * 1024 + 17];
            new Random(1).NextBytes(big);
            var reading = ReadExactlyAsync(accepted.Pipe.Input, big.Length);
            await WriteAsync(dialed, big);
            Assert.Equal(big, await reading);

            await WriteAsync(accepted, [9, 8, 7]);
            Assert.Equal([9, 8, 7], await ReadExactlyAsync(dialed.Pipe.Input, 3));

            // Completing the output sends a close frame: the remote reads a clean end.
            await dialed.Pipe.Output.CompleteAsync();
            Assert.Empty(await ReadToEndAsync(accepted.Pipe.Input));
        }
    }

    [Fact]
    public async Task Abort_IsAReset_ForTheRemote()
    {
        var transport = new WebSocketTransport();
        await using var listener = await transport.ListenAsync(Ws4);
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (dialed)
        await using (accepted)
        {
            dialed.Abort();
            await Assert.ThrowsAnyAsync<IOException>(() => ReadToEndAsync(accepted.Pipe.Input));
        }
    }

    [Theory]
    [InlineData("/wss")]
    [InlineData("/tls/ws")]
    public async Task SecureWebSocket_WithTheUsersCertificate_CarriesBytes(string suffix)
    {
        using var certificate = SelfSigned();
        var server = new WebSocketTransport(options: new WebSocketTransportOptions { ServerCertificate = certificate });
        await using var listener = await server.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0" + suffix));
        Assert.EndsWith(suffix, listener.LocalAddress.ToString(), StringComparison.Ordinal);
        var client = new WebSocketTransport(options: Trusting(certificate));
        var (dialed, accepted) = await ConnectAsync(client, listener);
        await using (dialed)
        await using (accepted)
        {
            await WriteAsync(dialed, [1, 2, 3]);
            Assert.Equal([1, 2, 3], await ReadExactlyAsync(accepted.Pipe.Input, 3));
        }
    }

    [Fact]
    public async Task SecureWebSocket_UntrustedCertificate_FailsTheDial()
    {
        using var certificate = SelfSigned();
        var server = new WebSocketTransport(options: new WebSocketTransportOptions { ServerCertificate = certificate });
        await using var listener = await server.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/wss"));
        var accepting = listener.AcceptAsync().AsTask();
        var error = await Assert.ThrowsAsync<TransportException>(() => new WebSocketTransport().DialAsync(listener.LocalAddress).WaitAsync(Wait));
        Assert.Contains("upgrade", error.Message, StringComparison.Ordinal);
        await using var accepted = await accepting.WaitAsync(Wait);
        await Assert.ThrowsAnyAsync<IOException>(() => ReadToEndAsync(accepted!.Pipe.Input));
    }

    [Fact]
    public async Task Dial_ToAServerThatNeverAnswersTheUpgrade_TimesOut()
    {
        using var silent = new Socket(SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        silent.Listen();
        var address = Multiaddr.FromEndPoint((System.Net.IPEndPoint)silent.LocalEndPoint!).Encapsulate("/ws");
        var transport = new WebSocketTransport(new TcpTransportOptions { ConnectTimeout = TimeSpan.FromMilliseconds(300) });
        var error = await Assert.ThrowsAsync<TransportException>(() => transport.DialAsync(address).WaitAsync(Wait));
        Assert.Equal(SocketError.TimedOut, error.SocketError);
    }

    [Fact]
    public async Task ReceiveBuffer_IsBounded_ByTheTcpOption()
    {
        var options = new TcpTransportOptions { MaxReceiveBufferSize = TcpTransportOptions.MinBufferSize, MaxSendBufferSize = TcpTransportOptions.MinBufferSize };
        var transport = new WebSocketTransport(options);
        await using var listener = await transport.ListenAsync(Ws4);
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (dialed)
        await using (accepted)
        {
            // Nobody reads the accepted side: the dialer's flush must start waiting within a few
            // buffers' worth (its send pipe, the kernel's buffers, the remote's receive pipe).
            var chunk = new byte[16 * 1024];
            long written = 0;
            while (true)
            {
                var flush = dialed.Pipe.Output.WriteAsync(chunk);
                written += chunk.Length;
                if (!flush.IsCompleted)
                {
                    break;
                }

                Assert.True(written < 64L * 1024 * 1024, "64 MiB were accepted with nobody reading: the buffers are not bounded.");
            }

            dialed.Abort();
        }
    }
}
