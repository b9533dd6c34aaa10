using Rx.Network.Encoding;
using Rx.Network.Protocols;

namespace Rx.Network.Tests.Protocols;

public sealed partial class RequestReplyServiceTests
{
    [Fact]
    public async Task RequestAsync_HandlerThrows_RequestFailedWithRemoteReset()
    {
        nets.ServerService((_, _) => throw new InvalidOperationException("handler bug"));

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => nets.ClientService().RequestAsync(nets.ServerPeer, "x"u8.ToArray()).WaitAsync(TestTimeout));

        Assert.Equal(RequestReplyNetworks.Protocol, e.Protocol);
        Assert.Equal(nets.ServerPeer, e.Peer);
        Assert.True(Assert.IsType<StreamResetException>(e.InnerException).Remote);
    }

    [Fact]
    public async Task RequestAsync_HandlerFaultsLater_RequestFailed()
    {
        nets.ServerService(async (_, _) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("handler bug");
        });

        await Assert.ThrowsAsync<RequestFailedException>(() => nets.ClientService().RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task RequestAsync_ServiceWithoutHandler_NegotiationException()
    {
        nets.ServerService();

        await Assert.ThrowsAsync<NegotiationException>(() => nets.ClientService().RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task RequestAsync_UnknownProtocol_NegotiationException()
    {
        nets.ServerService((_, _) => Task.FromResult(ReadOnlyMemory<byte>.Empty));
        var client = nets.ClientService(protocol: "/rxnet/test/unknown/1.0.0");

        var e = await Assert.ThrowsAsync<NegotiationException>(() => client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));

        Assert.Contains("/rxnet/test/unknown/1.0.0", e.ProtocolsTried);
    }

    [Fact]
    public void RequestAsync_RequestAboveOwnLimit_ThrowsBeforeDialing()
    {
        var client = nets.ClientService(new RequestReplyOptions { MaxRequestSize = 10 });

        var e = Assert.Throws<MessageTooLargeException>(() => { _ = client.RequestAsync(nets.ServerPeer, new byte[11]); });

        Assert.Equal(11, e.DeclaredLength);
        Assert.Equal(10, e.Limit);
        Assert.Empty(nets.Client.Connections);
    }

    [Fact]
    public async Task RequestAsync_RequestAboveServerLimit_ResetBeforeHandler()
    {
        int calls = 0;
        nets.ServerService(
            (_, _) =>
            {
                Interlocked.Increment(ref calls);
                return Task.FromResult(ReadOnlyMemory<byte>.Empty);
            },
            new RequestReplyOptions { MaxRequestSize = 10 });
        var client = nets.ClientService();

        await Assert.ThrowsAsync<RequestFailedException>(() => client.RequestAsync(nets.ServerPeer, new byte[11]).WaitAsync(TestTimeout));
        await client.RequestAsync(nets.ServerPeer, new byte[10]).WaitAsync(TestTimeout);

        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task RequestAsync_ReplyAboveClientLimit_MessageTooLarge()
    {
        nets.ServerService((_, _) => Task.FromResult<ReadOnlyMemory<byte>>(new byte[101]));
        var client = nets.ClientService(new RequestReplyOptions { MaxReplySize = 100 });

        var e = await Assert.ThrowsAsync<MessageTooLargeException>(() => client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));

        Assert.Equal(101, e.DeclaredLength);
        Assert.Equal(100, e.Limit);
    }

    [Fact]
    public async Task RequestAsync_HandlerReplyAboveServerLimit_RequestFailed()
    {
        nets.ServerService((_, _) => Task.FromResult<ReadOnlyMemory<byte>>(new byte[101]), new RequestReplyOptions { MaxReplySize = 100 });

        await Assert.ThrowsAsync<RequestFailedException>(() => nets.ClientService().RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task RequestAsync_ServerClosesWithoutReply_RequestFailed()
    {
        using var registration = nets.Server.SetStreamHandler(RequestReplyNetworks.Protocol, async stream =>
        {
            await LengthPrefixed.ReadAsync(stream.AsStream());
            await stream.CloseWriteAsync();
        });

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => nets.ClientService().RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));

        Assert.Null(e.InnerException);
        Assert.Contains("without a reply", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 10, 1, 2, 3 })]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 })]
    public async Task RequestAsync_MalformedReply_ProtocolViolation(byte[] reply)
    {
        using var registration = nets.Server.SetStreamHandler(RequestReplyNetworks.Protocol, async stream =>
        {
            await LengthPrefixed.ReadAsync(stream.AsStream());
            await stream.WriteAsync(reply);
            await stream.CloseWriteAsync();
        });

        await Assert.ThrowsAnyAsync<WireProtocolViolationException>(() => nets.ClientService().RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 10, 1, 2, 3 })]
    [InlineData(new byte[] { 0x80 })]
    public async Task Serve_MalformedRequest_StreamResetWithoutHandler(byte[] request)
    {
        int calls = 0;
        nets.ServerService((_, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult(ReadOnlyMemory<byte>.Empty);
        });
        var stream = await nets.Client.NewStreamAsync(nets.ServerPeer, [RequestReplyNetworks.Protocol]).WaitAsync(TestTimeout);
        await using (stream)
        {
            await stream.WriteAsync(request);
            await stream.CloseWriteAsync();

            var e = await Assert.ThrowsAsync<StreamResetException>(async () => await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TestTimeout));

            Assert.True(e.Remote);
        }

        Assert.Equal(0, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task Serve_ClientDoesNotHalfClose_StillAnswered()
    {
        nets.ServerService((context, _) => Task.FromResult<ReadOnlyMemory<byte>>(context.Request.ToArray()));
        var stream = await nets.Client.NewStreamAsync(nets.ServerPeer, [RequestReplyNetworks.Protocol]).WaitAsync(TestTimeout);
        await using (stream)
        {
            await stream.WriteAsync(LengthPrefixed.Frame("ping"u8));

            var reply = await LengthPrefixed.ReadAsync(stream.AsStream()).AsTask().WaitAsync(TestTimeout);

            Assert.Equal("ping", System.Text.Encoding.UTF8.GetString(reply!));
        }
    }
}
