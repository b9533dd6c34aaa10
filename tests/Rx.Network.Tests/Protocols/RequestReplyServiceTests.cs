using CsCheck;
using Rx.Network.Identity;
using Rx.Network.Protocols;

namespace Rx.Network.Tests.Protocols;

public sealed partial class RequestReplyServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan TestTimeout = RequestReplyNetworks.TestTimeout;

    private RequestReplyNetworks nets = null!;

    public async Task InitializeAsync() => nets = await RequestReplyNetworks.StartAsync();

    public async Task DisposeAsync() => await nets.DisposeAsync();

    [Fact]
    public async Task RequestAsync_HandlerReplies_ReturnsReply()
    {
        nets.ServerService((context, _) => Task.FromResult<ReadOnlyMemory<byte>>(Concat("re:", context.Request)));
        var client = nets.ClientService();

        var reply = await client.RequestAsync(nets.ServerPeer, "hello"u8.ToArray()).WaitAsync(TestTimeout);

        Assert.Equal("re:hello", System.Text.Encoding.UTF8.GetString(reply.Span));
    }

    [Fact]
    public async Task RequestAsync_EmptyRequestAndReply_RoundTrip()
    {
        int length = -1;
        nets.ServerService((context, _) =>
        {
            length = context.Request.Length;
            return Task.FromResult(ReadOnlyMemory<byte>.Empty);
        });
        var client = nets.ClientService();

        var reply = await client.RequestAsync(nets.ServerPeer, ReadOnlyMemory<byte>.Empty).WaitAsync(TestTimeout);

        Assert.Equal(0, reply.Length);
        Assert.Equal(0, length);
    }

    [Fact]
    public async Task RequestAsync_InfiniteTimeouts_RoundTrip()
    {
        var options = new RequestReplyOptions { RequestTimeout = Timeout.InfiniteTimeSpan };
        nets.ServerService((context, _) => Task.FromResult<ReadOnlyMemory<byte>>(Concat("re:", context.Request)), options);

        var reply = await nets.ClientService(options).RequestAsync(nets.ServerPeer, "x"u8.ToArray()).WaitAsync(TestTimeout);

        Assert.Equal("re:x", System.Text.Encoding.UTF8.GetString(reply.Span));
    }

    [Fact]
    public async Task RequestAsync_HandlerSeesContext()
    {
        var seen = new TaskCompletionSource<(PeerId Peer, string Protocol, Direction Direction, string Text)>();
        nets.ServerService((context, _) =>
        {
            seen.TrySetResult((context.RemotePeer, context.Protocol, context.Connection.Direction, context.ToString()));
            return Task.FromResult(ReadOnlyMemory<byte>.Empty);
        });

        await nets.ClientService().RequestAsync(nets.ServerPeer, new byte[3]).WaitAsync(TestTimeout);

        var (peer, protocol, direction, text) = await seen.Task.WaitAsync(TestTimeout);
        Assert.Equal(nets.Client.LocalPeer, peer);
        Assert.Equal(RequestReplyNetworks.Protocol, protocol);
        Assert.Equal(Direction.Inbound, direction);
        Assert.Contains("3 bytes", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAsync_ManyConcurrent_EachGetsItsOwnReply()
    {
        nets.ServerService(async (context, ct) =>
        {
            await Task.Yield();
            return Concat("re:", context.Request);
        });
        var client = nets.ClientService();
        await nets.Client.DialPeerAsync(nets.ServerPeer).WaitAsync(TestTimeout);

        var requests = Enumerable.Range(0, 100).Select(i => System.Text.Encoding.UTF8.GetBytes($"request {i} " + new string('x', i * 37))).ToArray();
        var replies = await Task.WhenAll(requests.Select(r => client.RequestAsync(nets.ServerPeer, r))).WaitAsync(TestTimeout);

        for (int i = 0; i < requests.Length; i++)
        {
            Assert.Equal(Concat("re:", requests[i]), replies[i].ToArray());
        }
    }

    [Fact]
    public async Task RequestAsync_LargestRequestAndReply_RoundTrip()
    {
        var options = new RequestReplyOptions { MaxRequestSize = 1 << 20, MaxReplySize = (1 << 20) + 1 };
        nets.ServerService((context, _) => Task.FromResult<ReadOnlyMemory<byte>>(Concat("!", context.Request)), options);
        var client = nets.ClientService(options);
        var request = Random.Shared.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 1 << 20);

        var reply = await client.RequestAsync(nets.ServerPeer, request).WaitAsync(TestTimeout);

        Assert.Equal(Concat("!", request), reply.ToArray());
    }

    [Fact]
    public async Task RequestAsync_RandomPayloads_RoundTrip_Property()
    {
        nets.ServerService((context, _) => Task.FromResult<ReadOnlyMemory<byte>>(context.Request.ToArray().Reverse().ToArray()));
        var client = nets.ClientService();

        await Gen.Byte.Array[0, 5000].SampleAsync(async request =>
        {
            var reply = await client.RequestAsync(nets.ServerPeer, request).WaitAsync(TestTimeout);
            Assert.Equal(request.Reverse().ToArray(), reply.ToArray());
        }, iter: 50);
    }

    [Fact]
    public async Task RequestAsync_Typed_SerializesBothWays()
    {
        nets.ServerService((context, _) =>
        {
            int n = int.Parse(System.Text.Encoding.UTF8.GetString(context.Request.Span), System.Globalization.CultureInfo.InvariantCulture);
            return Task.FromResult<ReadOnlyMemory<byte>>(BitConverter.GetBytes(n * 2));
        });
        var client = nets.ClientService();

        int reply = await client.RequestAsync(
            nets.ServerPeer,
            21,
            n => System.Text.Encoding.UTF8.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            bytes => BitConverter.ToInt32(bytes.Span)).WaitAsync(TestTimeout);

        Assert.Equal(42, reply);
    }

    [Fact]
    public async Task SetHandler_Replaced_NewHandlerServes()
    {
        var service = nets.ServerService((_, _) => Task.FromResult<ReadOnlyMemory<byte>>("first"u8.ToArray()));
        var client = nets.ClientService();
        Assert.Equal("first", System.Text.Encoding.UTF8.GetString((await client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout)).Span));

        var second = service.SetHandler((_, _) => Task.FromResult<ReadOnlyMemory<byte>>("second"u8.ToArray()));

        Assert.Equal("second", System.Text.Encoding.UTF8.GetString((await client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout)).Span));
        second.Dispose();
        await Assert.ThrowsAsync<NegotiationException>(() => client.RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task SetHandler_StaleRegistrationDisposed_KeepsCurrentHandler()
    {
        var service = nets.ServerService();
        var first = service.SetHandler((_, _) => Task.FromResult<ReadOnlyMemory<byte>>("first"u8.ToArray()));
        service.SetHandler((_, _) => Task.FromResult<ReadOnlyMemory<byte>>("second"u8.ToArray()));

        first.Dispose();

        var reply = await nets.ClientService().RequestAsync(nets.ServerPeer, default).WaitAsync(TestTimeout);
        Assert.Equal("second", System.Text.Encoding.UTF8.GetString(reply.Span));
    }

    [Fact]
    public void Constructor_ArgumentChecks()
    {
        var network = nets.Client;
        Func<RequestContext, CancellationToken, Task<ReadOnlyMemory<byte>>> handler = (_, _) => Task.FromResult(ReadOnlyMemory<byte>.Empty);

        Assert.Throws<ArgumentNullException>("network", () => new RequestReplyService(null!, "/p"));
        Assert.Throws<ArgumentNullException>("protocol", () => new RequestReplyService(network, null!));
        Assert.Throws<ArgumentException>("protocol", () => new RequestReplyService(network, ""));
        Assert.Throws<ArgumentException>("protocol", () => new RequestReplyService(network, "/a\n"));
        Assert.Throws<ArgumentException>("protocol", () => new RequestReplyService(network, "/" + new string('a', 1000)));
        Assert.Throws<ArgumentNullException>("handler", () => new RequestReplyService(network, "/p", handler: null!));

        using var service = new RequestReplyService(network, "/p");
        Assert.Same(RequestReplyOptions.Default, service.Options);
        Assert.Equal("/p", service.Protocol);
        Assert.Contains("/p", service.ToString(), StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>("handler", () => service.SetHandler(null!));
        Assert.Throws<ArgumentNullException>("peer", () => { _ = service.RequestAsync(null!, default); });
        Assert.Throws<ArgumentNullException>("peer", () => { _ = service.RequestAsync<int, int>(null!, 1, _ => default, _ => 0); });
        Assert.Throws<ArgumentNullException>("serialize", () => { _ = service.RequestAsync<int, int>(nets.ServerPeer, 1, null!, _ => 0); });
        Assert.Throws<ArgumentNullException>("deserialize", () => { _ = service.RequestAsync<int, int>(nets.ServerPeer, 1, _ => default, null!); });
    }

    private static byte[] Concat(string prefix, ReadOnlyMemory<byte> payload) => [.. System.Text.Encoding.UTF8.GetBytes(prefix), .. payload.Span];
}
