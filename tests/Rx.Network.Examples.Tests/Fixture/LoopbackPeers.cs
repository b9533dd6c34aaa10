using Rx.Network.Peerstore;

namespace Rx.Network.Examples.Tests.Fixture;

/// <summary>Two real networks on loopback (TCP, Noise, yamux): one listening on a free port, one that knows its address.</summary>
internal sealed class LoopbackPeers : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private LoopbackPeers(INetwork listener, INetwork dialer)
    {
        Listener = listener;
        Dialer = dialer;
    }

    public INetwork Listener { get; }

    public INetwork Dialer { get; }

    public static async Task<LoopbackPeers> StartAsync()
    {
        var listener = await new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync().WaitAsync(Timeout);
        var dialer = await new NetworkBuilder().StartAsync().WaitAsync(Timeout);
        dialer.Peerstore.AddAddresses(listener.LocalPeer, listener.ListenAddresses, AddressTtl.Temporary);
        return new LoopbackPeers(listener, dialer);
    }

    public async ValueTask DisposeAsync()
    {
        await Dialer.DisposeAsync();
        await Listener.DisposeAsync();
    }
}
