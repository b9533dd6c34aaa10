using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;

namespace Rx.Network.Tests.Protocols;

/// <summary>Two real networks on loopback: a listening server and a client that knows its address.</summary>
internal sealed class RequestReplyNetworks : IAsyncDisposable
{
    public const string Protocol = "/rxnet/test/reqrep/1.0.0";

    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    private readonly List<IDisposable> services = [];

    private RequestReplyNetworks(INetwork server, INetwork client, RequestReplyLog serverLog)
    {
        Server = server;
        Client = client;
        ServerLog = serverLog;
    }

    public INetwork Server { get; }

    public INetwork Client { get; }

    public PeerId ServerPeer => Server.LocalPeer;

    /// <summary>Records what the server network logs (failed stream handlers among it).</summary>
    public RequestReplyLog ServerLog { get; }

    public static async Task<RequestReplyNetworks> StartAsync()
    {
        var log = new RequestReplyLog();
        var server = await new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0").WithLoggerFactory(log).StartAsync();
        var client = await new NetworkBuilder().StartAsync();
        client.Peerstore.AddAddresses(server.LocalPeer, server.ListenAddresses, AddressTtl.Temporary);
        return new RequestReplyNetworks(server, client, log);
    }

    /// <summary>A service on the server, disposed with the networks.</summary>
    public RequestReplyService ServerService(RequestReplyOptions? options = null, string protocol = Protocol) =>
        Track(new RequestReplyService(Server, protocol, options));

    /// <summary>A service on the server serving <paramref name="handler"/>, disposed with the networks.</summary>
    public RequestReplyService ServerService(Func<RequestContext, CancellationToken, Task<ReadOnlyMemory<byte>>> handler, RequestReplyOptions? options = null) =>
        Track(new RequestReplyService(Server, Protocol, handler, options));

    /// <summary>A service on the client, disposed with the networks.</summary>
    public RequestReplyService ClientService(RequestReplyOptions? options = null, string protocol = Protocol) =>
        Track(new RequestReplyService(Client, protocol, options));

    public async ValueTask DisposeAsync()
    {
        foreach (var service in services)
        {
            service.Dispose();
        }

        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }

    private RequestReplyService Track(RequestReplyService service)
    {
        services.Add(service);
        return service;
    }
}
