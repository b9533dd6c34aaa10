using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Addressing;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Rx.Network.Swarm;
using Rx.Network.Tests.Swarm;
using Rx.Network.Transports;
using static Rx.Network.Tests.Transports.WebSocketTestKit;

namespace Rx.Network.Tests.Transports;

/// <summary>Networks over /ws beside TCP: the swarm picks the transport by address, and its limits apply to both.</summary>
public sealed class WebSocketNetworkTests
{
    private const string Echo = "/echo/1.0.0";

    [Fact]
    public async Task TcpAndWs_InOneNode_EachDialerUsesTheTransportOfItsAddress()
    {
        await using var server = await new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/tcp/0/ws", "/ip6/::1/tcp/0/ws").StartAsync();
        ServeEcho(server);
        Assert.Equal(3, server.ListenAddresses.Count);
        Assert.Equal(2, server.ListenAddresses.Count(a => a.Contains(MultiaddrProtocol.Ws)));

        foreach (var address in server.ListenAddresses)
        {
            await using var client = await new NetworkBuilder().StartAsync();
            client.Peerstore.AddAddresses(server.LocalPeer, [address], AddressTtl.Permanent);
            var connection = await client.DialPeerAsync(server.LocalPeer).WaitAsync(SwarmKit.Wait);
            Assert.Equal(address.Contains(MultiaddrProtocol.Ws), connection.RemoteAddress.Contains(MultiaddrProtocol.Ws));
            Assert.True(await PingService.PingAsync(client, server.LocalPeer).WaitAsync(SwarmKit.Wait) > TimeSpan.Zero);
            await AssertEchoesAsync(client, server, 1024 * 1024);
        }
    }

    [Fact]
    public async Task ManyConcurrentStreams_OverWs()
    {
        await using var server = await new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0/ws").StartAsync();
        ServeEcho(server);
        await using var client = await new NetworkBuilder().StartAsync();
        SwarmKit.Introduce(client, server);
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => AssertEchoesAsync(client, server, 4096))).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Single(client.ConnectionsToPeer(server.LocalPeer));
    }

    [Fact]
    public async Task SecureWebSocket_Network_DialsAndPings()
    {
        using var certificate = SelfSigned();
        await using var server = await new NetworkBuilder()
            .WithWebSockets(new WebSocketTransportOptions { ServerCertificate = certificate })
            .ListenOn("/ip4/127.0.0.1/tcp/0/tls/ws")
            .StartAsync();
        await using var client = await new NetworkBuilder().WithWebSockets(Trusting(certificate)).StartAsync();
        SwarmKit.Introduce(client, server);
        Assert.True(await PingService.PingAsync(client, server.LocalPeer).WaitAsync(SwarmKit.Wait) > TimeSpan.Zero);
    }

    [Fact]
    public async Task MaxPendingInbound_CountsWebSocketsFromTheirTcpAccept()
    {
        await using var server = await new NetworkBuilder()
            .ListenOn("/ip4/127.0.0.1/tcp/0/ws")
            .WithLimits(new ConnectionLimits { MaxPendingInbound = 1 })
            .StartAsync();
        var refused = server.Events.OfType<InboundRefused>().FirstAsync().ToTask();

        // A silent client holds the one pending place with its unfinished HTTP upgrade.
        using var silent = await SwarmKit.ConnectSilentAsync(server.ListenAddresses[0]);
        await SwarmKit.ConnectAndAwaitDropAsync(server.ListenAddresses[0]);
        Assert.Equal(nameof(ConnectionLimits.MaxPendingInbound), (await refused.WaitAsync(SwarmKit.Wait)).Reason.Limit);
    }

    internal static void ServeEcho(INetwork server) => server.SetStreamHandler(Echo, async stream =>
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read));
        }

        await stream.CloseWriteAsync();
    });

    internal static async Task AssertEchoesAsync(INetwork client, INetwork server, int size)
    {
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);
        await using var stream = await client.NewStreamAsync(server.LocalPeer, [Echo]).WaitAsync(SwarmKit.Wait);
        var writing = Task.Run(async () =>
        {
            await stream.WriteAsync(payload);
            await stream.CloseWriteAsync();
        });
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(SwarmKit.Wait)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        await writing.WaitAsync(SwarmKit.Wait);
        Assert.Equal(payload, received.ToArray());
    }
}
