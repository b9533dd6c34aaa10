using Microsoft.Reactive.Testing;
using Rx.Network.Resources;

namespace Rx.Network.Mock.Tests.Scenarios;

/// <summary>Two peers of a mock network in virtual time (a <see cref="TestScheduler"/>), joined by a 20 ms link.</summary>
internal sealed class MockScenarioHost(MockNetworkMode mode) : IScenarioHost
{
    /// <summary>The link's one-way latency.</summary>
    public static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(20);

    private readonly TestScheduler scheduler = new();
    private MockNetwork? net;

    public bool IsVirtual => true;

    public TimeProvider Time => Net.TimeProvider;

    public DateTimeOffset Now => Net.Now;

    private MockNetwork Net => net ??= Create(null);

    public async Task<(INetwork A, INetwork B)> TwoPeersAsync(bool connect, ResourceLimits? limits = null)
    {
        if (limits is not null)
        {
            Assert.Null(net);
            net = Create(limits);
        }

        var mock = Net;
        var a = mock.GenPeer();
        var b = mock.GenPeer();
        mock.LinkPeers(a, b);
        if (connect)
        {
            await mock.ConnectPeersAsync(a, b);
        }

        return (a, b);
    }

    public Task<T> RunAsync<T>(Func<Task<T>> operation) => Net.RunAsync(operation);

    public Task SettleAsync() => Net.RunUntilIdleAsync();

    public ValueTask DisposeAsync() => net?.DisposeAsync() ?? ValueTask.CompletedTask;

    private MockNetwork Create(ResourceLimits? limits) => new(scheduler, new MockNetworkOptions
    {
        Mode = mode,
        Seed = 7,
        Ping = false,
        Identify = null,
        Resources = limits ?? ResourceLimits.Default,
        DefaultLink = new LinkOptions { Latency = Latency },
        ConfigurePeer = builder =>
        {
            builder.WithoutIdentify().WithoutPing();
            if (limits is not null)
            {
                builder.WithResourceLimits(limits);
            }
        },
    });

    public override string ToString() => mode.ToString();
}
