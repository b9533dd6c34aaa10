using Microsoft.Reactive.Testing;

namespace Rx.Network.Mock.Tests.Scenarios;

/// <summary>Two peers of a mock network in virtual time (a <see cref="TestScheduler"/>), joined by a 20 ms link.</summary>
internal sealed class MockScenarioHost(MockNetworkMode mode) : IScenarioHost
{
    /// <summary>The link's one-way latency.</summary>
    public static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(20);

    private readonly MockNetwork net = new(new TestScheduler(), new MockNetworkOptions
    {
        Mode = mode,
        Seed = 7,
        Ping = false,
        Identify = null,
        DefaultLink = new LinkOptions { Latency = Latency },
        ConfigurePeer = builder => builder.WithoutIdentify().WithoutPing(),
    });

    public bool IsVirtual => true;

    public TimeProvider Time => net.TimeProvider;

    public DateTimeOffset Now => net.Now;

    public async Task<(INetwork A, INetwork B)> TwoPeersAsync(bool connect)
    {
        var a = net.GenPeer();
        var b = net.GenPeer();
        net.LinkPeers(a, b);
        if (connect)
        {
            await net.ConnectPeersAsync(a, b);
        }

        return (a, b);
    }

    public Task<T> RunAsync<T>(Func<Task<T>> operation) => net.RunAsync(operation);

    public Task SettleAsync() => net.RunUntilIdleAsync();

    public ValueTask DisposeAsync() => net.DisposeAsync();

    public override string ToString() => mode.ToString();
}
