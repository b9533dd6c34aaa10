using Rx.Network.Peerstore;
using Rx.Network.Resources;

namespace Rx.Network.Mock.Tests.Scenarios;

/// <summary>Two real networks (NetworkBuilder) over TCP on 127.0.0.1, port 0, in real time; every operation bounded.</summary>
internal sealed class TcpScenarioHost : IScenarioHost
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly List<INetwork> peers = [];

    public bool IsVirtual => false;

    public TimeProvider Time => TimeProvider.System;

    public DateTimeOffset Now => Time.GetUtcNow();

    public async Task<(INetwork A, INetwork B)> TwoPeersAsync(bool connect, ResourceLimits? limits = null)
    {
        var a = await Builder(limits).StartAsync().WaitAsync(Bound);
        peers.Add(a);
        var b = await Builder(limits).ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync().WaitAsync(Bound);
        peers.Add(b);
        a.Peerstore.AddAddresses(b.LocalPeer, b.ListenAddresses, AddressTtl.Temporary);
        if (connect)
        {
            await a.DialPeerAsync(b.LocalPeer).WaitAsync(Bound);
        }

        return (a, b);
    }

    private static NetworkBuilder Builder(ResourceLimits? limits)
    {
        var builder = new NetworkBuilder().WithoutIdentify().WithoutPing();
        return limits is null ? builder : builder.WithResourceLimits(limits);
    }

    public Task<T> RunAsync<T>(Func<Task<T>> operation) => operation().WaitAsync(Bound);

    public Task SettleAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var peer in peers)
        {
            await peer.DisposeAsync();
        }
    }

    public override string ToString() => "tcp";
}
