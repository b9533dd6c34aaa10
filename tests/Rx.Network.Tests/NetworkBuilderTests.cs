using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging.Abstractions;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Reactive;
using Rx.Network.Swarm;
using Rx.Network.Tests.Swarm;

namespace Rx.Network.Tests;

public sealed class NetworkBuilderTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Members_InvalidArguments_Throw()
    {
        var builder = new NetworkBuilder();
        Assert.Throws<ArgumentNullException>(() => builder.WithIdentity(null!));
        Assert.Throws<ArgumentNullException>(() => builder.ListenOn((string[])null!));
        Assert.Throws<ArgumentNullException>(() => builder.ListenOn((Multiaddr[])null!));
        Assert.Throws<FormatException>(() => builder.ListenOn("not an address"));
        Assert.Throws<ArgumentNullException>(() => builder.WithSecurity(null!));
        Assert.Throws<ArgumentException>(() => builder.WithSecurity());
        Assert.Throws<ArgumentNullException>(() => builder.WithYamux(null!));
        Assert.Throws<ArgumentNullException>(() => builder.WithTcp(null!));
        Assert.Throws<ArgumentNullException>(() => builder.WithOptions((NetworkOptions)null!));
        Assert.Throws<ArgumentNullException>(() => builder.WithOptions((Func<NetworkOptions, NetworkOptions>)null!));
        Assert.Throws<InvalidOperationException>(() => builder.WithOptions(_ => null!));
        Assert.Throws<ArgumentNullException>(() => builder.WithTimeProvider(null!));
        Assert.Throws<ArgumentNullException>(() => builder.WithScheduler(null!));
        Assert.Throws<ArgumentException>(() => builder.WithScheduler(ImmediateScheduler.Instance));
        Assert.Throws<ArgumentException>(() => builder.WithScheduler(CurrentThreadScheduler.Instance));
        Assert.Throws<ArgumentNullException>(() => builder.WithLoggerFactory(null!));
        Assert.Throws<ArgumentNullException>(() => builder.WithLimits(null!));
        Assert.Throws<ArgumentNullException>(() => builder.WithPeerstore(null!));
        Assert.Throws<ArgumentNullException>(() => builder.WithIdentify(null!));
        Assert.ThrowsAny<ArgumentException>(() => builder.WithAgentVersion(""));
    }

    [Fact]
    public async Task WithScheduler_PeerstoreLifetimes_RunOnTheSchedulersClock()
    {
        var scheduler = new HistoricalScheduler(Start);
        await using var network = new NetworkBuilder().WithScheduler(scheduler).WithoutIdentify().WithoutPing().Build();
        var peer = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);
        var address = Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001");
        var seen = new List<int>();
        using var subscription = network.Peerstore.Peers.Watch(peer).Subscribe(c => seen.Add(c.Current.Addresses.Count));

        network.Peerstore.AddAddresses(peer, [address], TimeSpan.FromMinutes(10));
        scheduler.AdvanceBy(TimeSpan.FromMinutes(9));
        Assert.Equal([address], network.Peerstore.Addresses(peer));

        // Past the lifetime the address is gone at once for readers; the peer store's sweep timer
        // (every minute, an action on the scheduler) publishes the change.
        scheduler.AdvanceBy(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Empty(network.Peerstore.Addresses(peer));
        scheduler.AdvanceBy(TimeSpan.FromMinutes(1));
        Assert.Equal([1, 0], seen);
    }

    [Fact]
    public async Task WithScheduler_DialBackoff_EndsWhenTheSchedulerAdvances()
    {
        var scheduler = new HistoricalScheduler(Start);
        await using var network = new NetworkBuilder()
            .WithScheduler(scheduler)
            .WithOptions(o => o with { Dial = new DialOptions { BackoffBase = TimeSpan.FromSeconds(30) } })
            .Build();
        using var dead = new DeadPort();
        var peer = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);
        network.Peerstore.AddAddresses(peer, [dead.Address], AddressTtl.Permanent);

        var first = await Assert.ThrowsAsync<DialException>(() => network.DialPeerAsync(peer).WaitAsync(SwarmKit.Wait));
        Assert.False(first.IsBackoff);

        // However much real time passes, the backoff lasts 30 s of the scheduler's time.
        var backedOff = await Assert.ThrowsAsync<DialException>(() => network.DialPeerAsync(peer).WaitAsync(SwarmKit.Wait));
        Assert.True(backedOff.IsBackoff);
        Assert.Contains(Start.AddSeconds(30).ToString("O"), backedOff.Message, StringComparison.Ordinal);

        scheduler.AdvanceBy(TimeSpan.FromSeconds(30));
        var retried = await Assert.ThrowsAsync<DialException>(() => network.DialPeerAsync(peer).WaitAsync(SwarmKit.Wait));
        Assert.False(retried.IsBackoff);
    }

    [Fact]
    public void WithScheduler_SetsATimeProviderReadingTheScheduler()
    {
        var scheduler = new HistoricalScheduler(Start);
        var options = NetworkOptions.Default;
        new NetworkBuilder().WithScheduler(scheduler).WithOptions(o => options = o);

        var time = Assert.IsType<SchedulerTimeProvider>(options.TimeProvider);
        Assert.Same(scheduler, time.Scheduler);
        Assert.Equal(Start, time.GetUtcNow());
        Assert.Same(NullLoggerFactory.Instance, options.LoggerFactory);
    }
}
