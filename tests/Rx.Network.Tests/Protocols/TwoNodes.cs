using Rx.Network.Peerstore;

namespace Rx.Network.Tests.Protocols;

/// <summary>A listening server and a client that knows its address, over TCP loopback with Noise and yamux.</summary>
internal sealed class TwoNodes : IAsyncDisposable
{
    private TwoNodes(INetwork server, INetwork client)
    {
        Server = server;
        Client = client;
    }

    public INetwork Server { get; }

    public INetwork Client { get; }

    public static async Task<TwoNodes> StartAsync()
    {
        var server = await new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync();
        var client = await new NetworkBuilder().StartAsync();
        client.Peerstore.AddAddresses(server.LocalPeer, server.ListenAddresses, AddressTtl.Temporary);
        return new TwoNodes(server, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
