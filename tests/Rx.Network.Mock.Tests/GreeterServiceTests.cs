using System.Text;
using Microsoft.Reactive.Testing;
using Rx.Network;
using Rx.Network.Mock;
using Rx.Network.Protocols;
using Xunit;

namespace MyService.Tests;

public class GreeterServiceTests
{
    private const string Protocol = "/example/greeter/1.0.0";

    [Fact]
    public async Task Greeting_TakesThreeRoundTripsOfVirtualTime()
    {
        // Virtual time: nothing moves until the test (through the mock network) says so.
        await using var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions { Seed = 1 });
        var client = net.GenPeer();
        var server = net.GenPeer();
        net.LinkPeers(client, server, new LinkOptions { Latency = TimeSpan.FromMilliseconds(50) });

        // The service under test, on the server: a request/reply greeter.
        using var greeter = new RequestReplyService(server, Protocol, (request, _) =>
            Task.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes($"hello, {Encoding.UTF8.GetString(request.Request.Span)}")));
        using var caller = new RequestReplyService(client, Protocol);

        // RunAsync starts the call and moves the clock from one due event to the next until it is done.
        var start = net.Now;
        var reply = await net.RunAsync(() => caller.RequestAsync(server.LocalPeer, "ada"u8.ToArray()));

        Assert.Equal("hello, ada", Encoding.UTF8.GetString(reply.Span));

        // Dialing, opening the stream and the exchange itself: one 100 ms round trip each.
        Assert.Equal(TimeSpan.FromMilliseconds(300), net.Now - start);
    }

    [Fact]
    public async Task Greeting_FailsWithATypedErrorWhenTheLinkIsCut()
    {
        await using var net = new MockNetwork(new TestScheduler(), new MockNetworkOptions { Seed = 1 });
        var client = net.GenPeer();
        var server = net.GenPeer();
        var link = net.LinkPeers(client, server, new LinkOptions { Latency = TimeSpan.FromMilliseconds(50) });
        using var greeter = new RequestReplyService(server, Protocol, async (request, cancellationToken) =>
        {
            // A slow service.
            await Task.Delay(TimeSpan.FromSeconds(1), net.TimeProvider, cancellationToken);
            return request.Request;
        });
        using var caller = new RequestReplyService(client, Protocol);

        // Half a second into the call, the link goes down.
        var start = net.Now;
        var call = net.RunAsync(async () =>
        {
            var pending = caller.RequestAsync(server.LocalPeer, "ada"u8.ToArray());
            await Task.Delay(TimeSpan.FromMilliseconds(500), net.TimeProvider);
            link.Options = link.Options with { Down = true };
            return await pending;
        });

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => call);

        Assert.IsType<MockLinkException>(error.InnerException);
        Assert.Equal(TimeSpan.FromMilliseconds(500), net.Now - start);
        Assert.Equal(Connectedness.NotConnected, client.Connectedness(server.LocalPeer));
    }
}
