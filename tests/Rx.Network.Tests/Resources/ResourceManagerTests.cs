using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rx.Network.Identity;
using Rx.Network.Resources;

namespace Rx.Network.Tests.Resources;

public sealed class ResourceManagerTests
{
    private static readonly PeerId PeerA = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);
    private static readonly PeerId PeerB = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);

    private static ResourceManager Manager(Func<ResourceLimits, ResourceLimits>? edit = null, FakeTimeProvider? time = null) =>
        new((edit ?? (l => l))(ResourceLimits.Default), time ?? new FakeTimeProvider(), publishPeriodically: false);

    private static ConnectionScope Inbound(ResourceManager manager, string ip, PeerId peer)
    {
        var scope = manager.TryOpenInbound(IPAddress.Parse(ip), out var error);
        Assert.Null(error);
        Assert.True(scope!.TrySetPeer(peer, out error));
        return scope;
    }

    [Fact]
    public void ScopeLimits_RejectNegativeValues()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScopeLimits { Memory = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScopeLimits { InboundStreams = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScopeLimits { PendingConnections = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => ResourceLimits.Default with { PublishInterval = TimeSpan.Zero });
        Assert.Throws<ArgumentNullException>(() => new ResourceManager(null!, TimeProvider.System));
        Assert.Throws<ArgumentNullException>(() => ResourceLimits.Default.ForProtocol(null!));
    }

    [Fact]
    public void Defaults_AreFiniteAndOneAddressGetsAFractionOfTheSystem()
    {
        var limits = ResourceLimits.Default;
        Assert.Equal(128L << 20, limits.System.Memory);
        Assert.True(limits.Ip4Address.Memory < limits.System.Memory);
        Assert.True(limits.Ip6Prefix56.Memory < limits.System.Memory);
        Assert.True(limits.Ip4Address.PendingConnections * 8 <= limits.Transient.PendingConnections);
        Assert.Equal(2, limits.ForProtocol("/ipfs/ping/1.0.0").PerPeer.InboundStreams);
        Assert.Equal(16, limits.ForProtocol("/ipfs/id/1.0.0").PerPeer.InboundStreams);
        Assert.Same(limits.DefaultProtocol, limits.ForProtocol("/my/app/1.0.0"));
        Assert.Empty(limits.Allowlist.Networks);
    }

    [Fact]
    public void AutoScaled_AddsAnEighthOfTheMachineToTheSystemOnly()
    {
        var scaled = ResourceLimits.Default.AutoScaled(8L << 30);
        Assert.Equal((128L << 20) + (1L << 30), scaled.System.Memory);
        Assert.Equal(ResourceLimits.Default.Ip4Address, scaled.Ip4Address);
    }

    [Fact]
    public void TryReserve_AllOrNone_ARefusalDeeperInTheChainLeavesNoTrace()
    {
        var a = new ResourceScope("a", ScopeKind.Stream, new ScopeLimits { Memory = 100 });
        var b = new ResourceScope("b", ScopeKind.Connection, new ScopeLimits { Memory = 50 });
        var c = new ResourceScope("c", ScopeKind.System, ScopeLimits.Unlimited);
        ResourceScope[] chain = [a, c, b];

        Assert.True(ResourceScope.TryReserve(chain, Resource.Memory, 40, out _));
        Assert.False(ResourceScope.TryReserve(chain, Resource.Memory, 20, out var refusedBy));
        Assert.Same(b, refusedBy);
        Assert.Equal(40, a.Used(Resource.Memory));
        Assert.Equal(40, c.Used(Resource.Memory));
        Assert.Equal(40, b.Used(Resource.Memory));

        var error = refusedBy!.Refusal(Resource.Memory, 20);
        Assert.Equal("b", error.Scope);
        Assert.Equal(ScopeKind.Connection, error.Kind);
        Assert.Equal(20, error.Requested);
        Assert.Equal(40, error.Used);
        Assert.Equal(50, error.Limit);

        ResourceScope.Release(chain, Resource.Memory, 40);
        Assert.True(a.IsEmpty && b.IsEmpty && c.IsEmpty);
    }

    [Fact]
    public async Task TryReserve_Concurrent_NeverExceedsTheLimitAndReturnsToZero()
    {
        var leaf = new ResourceScope("leaf", ScopeKind.Stream, ScopeLimits.Unlimited);
        var top = new ResourceScope("top", ScopeKind.System, new ScopeLimits { Memory = 1000 });
        ResourceScope[] chain = [leaf, top];
        long peak = 0;
        int granted = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(n => Task.Run(() =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                if (ResourceScope.TryReserve(chain, Resource.Memory, 7, out _))
                {
                    Interlocked.Increment(ref granted);
                    long now = top.Used(Resource.Memory);
                    long seen;
                    while ((seen = Volatile.Read(ref peak)) < now && Interlocked.CompareExchange(ref peak, now, seen) != seen)
                    {
                    }

                    ResourceScope.Release(chain, Resource.Memory, 7);
                }
            }
        })));

        Assert.True(granted > 0);
        Assert.True(peak <= 1000, $"peak {peak}");
        Assert.True(leaf.IsEmpty && top.IsEmpty);
    }

    [Fact]
    public void PendingPerAddress_RefusesOneHostBeyondItsShare_OthersStillGetIn()
    {
        using var manager = Manager();
        var attacker = IPAddress.Parse("192.0.2.7");
        var held = new List<ConnectionScope>();
        for (int i = 0; i < 8; i++)
        {
            held.Add(manager.TryOpenInbound(attacker, out _)!);
        }

        Assert.Null(manager.TryOpenInbound(attacker, out var error));
        Assert.Equal("address:192.0.2.7/32", error!.Scope);
        Assert.Equal(Resource.PendingConnections, error.Resource);
        Assert.Equal(8, error.Limit);

        var honest = manager.TryOpenInbound(IPAddress.Parse("198.51.100.1"), out error);
        Assert.NotNull(honest);
        Assert.Equal(9, manager.SystemUsage.PendingConnections);
        Assert.Equal(9 * ConnectionScope.HandshakeMemory, manager.SystemUsage.Memory);

        honest!.Dispose();
        held.ForEach(s => s.Dispose());
        Assert.True(manager.SystemUsage.IsZero);
        Assert.True(manager.TransientScope.IsEmpty);
        Assert.Equal(0, manager.SharedScopeCount);
        Assert.Equal(0, manager.ConnectionScopeCount);
    }

    [Theory]
    [InlineData("2001:db8:1:ff00::1", "2001:db8:1:ff42::9", true, true)]   // same /56 (and /48)
    [InlineData("2001:db8:1:100::1", "2001:db8:1:200::1", false, true)]    // other /56, same /48
    [InlineData("2001:db8:1::1", "2001:db8:2::1", false, false)]           // other /48
    public void Ipv6_GroupedBy56And48(string first, string second, bool same56, bool same48)
    {
        using var manager = Manager();
        using var a = manager.TryOpenInbound(IPAddress.Parse(first), out _)!;
        using var b = manager.TryOpenInbound(IPAddress.Parse(second), out _)!;
        manager.Publish();
        var rows = manager.Scopes.Items.Where(r => r.Kind == ScopeKind.Address).ToDictionary(r => r.Name);
        var p56 = rows.Values.Where(r => r.Name.EndsWith("/56", StringComparison.Ordinal)).ToArray();
        var p48 = rows.Values.Where(r => r.Name.EndsWith("/48", StringComparison.Ordinal)).ToArray();
        Assert.Equal(same56 ? 1 : 2, p56.Length);
        Assert.Equal(same48 ? 1 : 2, p48.Length);
        Assert.Equal(2, p48.Sum(r => r.Usage.PendingConnections));
        Assert.Contains("address:2001:db8:1::/48", rows.Keys);
    }

    [Fact]
    public void Ipv4MappedIpv6_CountsAsTheIpv4Address()
    {
        using var manager = Manager();
        using var mapped = manager.TryOpenInbound(IPAddress.Parse("::ffff:192.0.2.1"), out _)!;
        manager.Publish();
        Assert.True(manager.Scopes.ContainsKey("address:192.0.2.1/32"));
    }

    [Fact]
    public void Allowlist_AddressAndPeer_AreExemptFromTheirScopes()
    {
        var limits = ResourceLimits.Default with
        {
            Ip4Address = ResourceLimits.Default.Ip4Address with { PendingConnections = 1 },
            Allowlist = new ResourceAllowlist { Networks = [IPNetwork.Parse("10.0.0.0/8")], Peers = new HashSet<PeerId> { PeerB } },
        };
        using var manager = new ResourceManager(limits, new FakeTimeProvider(), publishPeriodically: false);
        var allowed = Enumerable.Range(0, 5).Select(n => manager.TryOpenInbound(IPAddress.Parse("10.1.2.3"), out _)).ToArray();
        Assert.All(allowed, Assert.NotNull);
        Assert.Equal(0, manager.SharedScopeCount);

        // An allowlisted peer leaves its address scope once proven.
        var fromB = manager.TryOpenInbound(IPAddress.Parse("192.0.2.1"), out _)!;
        Assert.Null(manager.TryOpenInbound(IPAddress.Parse("192.0.2.1"), out _));
        Assert.True(fromB.TrySetPeer(PeerB, out _));
        Assert.Equal(0, manager.SharedScopeCount);
        var another = manager.TryOpenInbound(IPAddress.Parse("192.0.2.1"), out _);
        Assert.NotNull(another);

        another!.Dispose();
        fromB.Dispose();
        foreach (var scope in allowed)
        {
            scope!.Dispose();
        }

        Assert.True(manager.SystemUsage.IsZero);
    }

    [Fact]
    public void Streams_WindowMemoryAndProtocol_MoveThroughTheChainAndReturnToZero()
    {
        using var manager = Manager();
        var connection = Inbound(manager, "192.0.2.1", PeerA);
        var stream = connection.TryOpenStream(inbound: true, 256 * 1024, out var error)!;
        Assert.Null(error);
        Assert.Equal(256 * 1024, manager.TransientScope.Used(Resource.Memory));
        Assert.Equal(1, manager.TransientScope.Used(Resource.InboundStreams));

        Assert.True(stream.TrySetProtocol("/echo/1.0.0", out _));
        Assert.True(manager.TransientScope.IsEmpty);
        manager.Publish();
        var row = manager.Scopes.Items.Single(r => r.Name == $"protocol-peer:/echo/1.0.0@{PeerA}");
        Assert.Equal(new ScopeUsage(256 * 1024, 1, 0, 0, 0, 0), row.Usage);

        Assert.True(stream.TryReserveMemory(256 * 1024));
        Assert.Equal(512 * 1024, manager.SystemUsage.Memory);
        Assert.Equal(512 * 1024, manager.Scopes.Items.Count > 0 ? connection.Self.Used(Resource.Memory) : 0);

        // Ended with 1000 bytes unread: those stay reserved until read.
        stream.Complete(1000);
        Assert.Equal(1000, manager.SystemUsage.Memory);
        Assert.Equal(0, manager.SystemUsage.InboundStreams);
        stream.Release(1000);
        Assert.Equal(0, manager.SystemUsage.Memory);

        connection.Dispose();
        Assert.True(manager.SystemUsage.IsZero);
        Assert.Equal(0, manager.SharedScopeCount);
        Assert.Equal(0, manager.ConnectionScopeCount);
        manager.Publish();
        Assert.Equal(["system", "transient"], manager.Scopes.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Streams_OutliveTheirConnection_SharedScopesStayUntilTheyEnd()
    {
        using var manager = Manager();
        var connection = Inbound(manager, "192.0.2.1", PeerA);
        var stream = connection.TryOpenStream(inbound: false, 1000, out _)!;
        connection.Dispose();
        Assert.Equal(2, manager.SharedScopeCount);     // peer and address, held by the stream
        Assert.Equal(1000, manager.SystemUsage.Memory);
        stream.Dispose();
        stream.Dispose();
        Assert.Equal(0, manager.SharedScopeCount);
        Assert.True(manager.SystemUsage.IsZero);
    }

    [Fact]
    public void PerProtocolPerPeer_PingTakesTwoInboundStreamsPerPeer()
    {
        using var manager = Manager();
        var a = Inbound(manager, "192.0.2.1", PeerA);
        var b = Inbound(manager, "192.0.2.2", PeerB);
        var pings = Enumerable.Range(0, 2).Select(n => a.TryOpenStream(true, 1, out _)!).ToArray();
        Assert.All(pings, s => Assert.True(s.TrySetProtocol("/ipfs/ping/1.0.0", out _)));

        var third = a.TryOpenStream(true, 1, out _)!;
        Assert.False(third.TrySetProtocol("/ipfs/ping/1.0.0", out var error));
        Assert.Equal(ScopeKind.ProtocolPeer, error!.Kind);
        Assert.Equal(Resource.InboundStreams, error.Resource);
        Assert.Equal(2, error.Limit);

        // The refused stream is still in transient until it is reset (disposed); other peers are unaffected.
        Assert.Equal(1, manager.TransientScope.Used(Resource.InboundStreams));
        third.Dispose();
        var other = b.TryOpenStream(true, 1, out _)!;
        Assert.True(other.TrySetProtocol("/ipfs/ping/1.0.0", out _));

        // An outbound ping stream does not count against the inbound limit.
        var ours = a.TryOpenStream(false, 1, out _)!;
        Assert.True(ours.TrySetProtocol("/ipfs/ping/1.0.0", out _));

        foreach (var s in pings.Append(other).Append(ours))
        {
            s.Dispose();
        }

        a.Dispose();
        b.Dispose();
        Assert.True(manager.SystemUsage.IsZero);
    }

    [Fact]
    public void WindowGrowth_RefusedAtTheConnectionLimit_ReportsOnceAndKeepsTheRest()
    {
        var time = new FakeTimeProvider();
        // The connection's budget is exactly its handshake's (reserved while it was pending).
        const long budget = ConnectionScope.HandshakeMemory;
        using var manager = Manager(l => l with { Connection = l.Connection with { Memory = budget } }, time);
        var reports = new List<ResourceRefusal>();
        manager.Refused = reports.Add;
        var connection = Inbound(manager, "192.0.2.1", PeerA);
        var stream = connection.TryOpenStream(true, budget - 400, out _)!;
        Assert.True(stream.TryReserveMemory(400));
        for (int i = 0; i < 10; i++)
        {
            Assert.False(stream.TryReserveMemory(400));
        }

        Assert.Equal(budget, stream.Memory);
        var report = Assert.Single(reports);
        Assert.Equal(ScopeKind.Connection, report.Error.Kind);
        Assert.Equal(PeerA, report.Peer);
        Assert.Equal(1, report.Count);

        // After the interval, the next refusal reports the ones held back too.
        time.Advance(ResourceLimits.Default.RefusalReportInterval);
        Assert.False(stream.TryReserveMemory(400));
        Assert.Equal(2, reports.Count);
        Assert.Equal(10, reports[1].Count);
        stream.Dispose();
        connection.Dispose();
    }

    [Fact]
    public void Refusals_AFloodOfDistinctScopes_IsCappedPerInterval()
    {
        using var manager = Manager(l => l with { Ip4Address = l.Ip4Address with { PendingConnections = 0 } });
        var reports = new List<ResourceRefusal>();
        manager.Refused = reports.Add;
        for (int i = 0; i < 1000; i++)
        {
            Assert.Null(manager.TryOpenInbound(new IPAddress([10, 0, (byte)(i >> 8), (byte)i]), out _));
        }

        Assert.Equal(ResourceManager.MaxReportsPerInterval, reports.Count);
        Assert.Equal(0, manager.SharedScopeCount);
    }

    [Fact]
    public void Scopes_PublishesChangedRowsAndRemovesEndedOnes()
    {
        using var manager = Manager();
        var changes = new List<string>();
        using var subscription = manager.Scopes.Connect().Subscribe(set => changes.AddRange(set.Select(c => $"{c.Reason} {c.Key}")));
        Assert.Contains("Add system", changes);
        changes.Clear();

        var connection = Inbound(manager, "192.0.2.1", PeerA);
        manager.Publish();
        Assert.Contains("Add address:192.0.2.1/32", changes);
        Assert.Contains($"Add peer:{PeerA}", changes);
        Assert.Contains("Update system", changes);
        changes.Clear();

        connection.Dispose();
        manager.Publish();
        Assert.Contains("Remove address:192.0.2.1/32", changes);
        Assert.Contains($"Remove peer:{PeerA}", changes);
        Assert.True(manager.Scopes.TryGetValue("system", out var system));
        Assert.True(system!.Usage.IsZero);
    }

    [Fact]
    public void Publish_PushesToSubscribersOnTheTimerOfTheTimeProvider()
    {
        var time = new FakeTimeProvider();
        using var manager = new ResourceManager(ResourceLimits.Default, time);
        var added = new List<string>();
        using var subscription = manager.Scopes.Connect().Subscribe(changes =>
            added.AddRange(changes.Where(change => change.Reason == Rx.Network.Reactive.ChangeReason.Add).Select(change => change.Key)));
        using var connection = manager.TryOpenInbound(IPAddress.Parse("192.0.2.1"), out _)!;
        Assert.DoesNotContain("address:192.0.2.1/32", added);

        time.Advance(ResourceLimits.Default.PublishInterval);

        Assert.Contains("address:192.0.2.1/32", added);
    }

    [Fact]
    public void Scopes_UnobservedReads_AreCurrent()
    {
        // Nobody subscribes: changes cost nothing until read, and a read is never stale.
        var time = new FakeTimeProvider();
        using var manager = new ResourceManager(ResourceLimits.Default, time);
        var connection = manager.TryOpenInbound(IPAddress.Parse("192.0.2.1"), out _)!;
        manager.PublishIfObserved();
        Assert.True(manager.Scopes.ContainsKey("address:192.0.2.1/32"));

        connection.Dispose();
        manager.PublishIfObserved();

        Assert.False(manager.Scopes.ContainsKey("address:192.0.2.1/32"));
        Assert.Contains(manager.Scopes.Items, status => status.Name == "system");
    }

    [Fact]
    public void Scopes_LateSubscriber_GetsTheCurrentRows()
    {
        var time = new FakeTimeProvider();
        using var manager = new ResourceManager(ResourceLimits.Default, time);
        using var connection = manager.TryOpenInbound(IPAddress.Parse("192.0.2.1"), out _)!;
        manager.PublishIfObserved();

        var keys = new List<string>();
        using var subscription = manager.Scopes.Connect().Subscribe(changes => keys.AddRange(changes.Select(change => change.Key)));

        Assert.Contains("address:192.0.2.1/32", keys);
        Assert.Contains("system", keys);
    }
}
