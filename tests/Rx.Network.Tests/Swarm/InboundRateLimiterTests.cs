using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rx.Network.Swarm;

namespace Rx.Network.Tests.Swarm;

public sealed class InboundRateLimiterTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        var time = new FakeTimeProvider();
        Assert.Throws<ArgumentNullException>(() => new InboundRateLimiter(null!, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InboundRateLimiter(time, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InboundRateLimiter(time, 1, 0));
        Assert.Throws<ArgumentNullException>(() => new InboundRateLimiter(time, 1, 1).TryAcquire(null!));
    }

    [Fact]
    public void TryAcquire_Burst_ThenRefusedUntilTimeRefills()
    {
        var time = new FakeTimeProvider();
        var limiter = new InboundRateLimiter(time, perSecond: 2, burst: 3);

        Assert.True(limiter.TryAcquire(A));
        Assert.True(limiter.TryAcquire(A));
        Assert.True(limiter.TryAcquire(A));
        Assert.False(limiter.TryAcquire(A));

        // Two tokens per second: one after half a second, not before.
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(limiter.TryAcquire(A));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryAcquire(A));
        Assert.False(limiter.TryAcquire(A));

        // Refill never exceeds the burst.
        time.Advance(TimeSpan.FromHours(1));
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limiter.TryAcquire(A));
        }

        Assert.False(limiter.TryAcquire(A));
    }

    [Fact]
    public void TryAcquire_SourcesHaveTheirOwnBuckets()
    {
        var limiter = new InboundRateLimiter(new FakeTimeProvider(), perSecond: 1, burst: 1);
        Assert.True(limiter.TryAcquire(A));
        Assert.False(limiter.TryAcquire(A));
        Assert.True(limiter.TryAcquire(B));
    }

    [Fact]
    public void TryAcquire_Ipv6_GroupedByPrefix64_Ipv4MappedIsIpv4()
    {
        var limiter = new InboundRateLimiter(new FakeTimeProvider(), perSecond: 1, burst: 1);
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2::1")));
        Assert.False(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:3::1")));

        Assert.True(limiter.TryAcquire(A));
        Assert.False(limiter.TryAcquire(A.MapToIPv6()));
    }

    [Fact]
    public void TryAcquire_RateZero_IsOff()
    {
        var limiter = new InboundRateLimiter(new FakeTimeProvider(), perSecond: 0, burst: 1);
        Assert.False(limiter.Enabled);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(limiter.TryAcquire(A));
        }

        Assert.Equal(0, limiter.TrackedSources);
    }

    [Fact]
    public void TryAcquire_ManySources_TableStaysBounded_RefilledBucketsAreDropped()
    {
        var time = new FakeTimeProvider();
        var limiter = new InboundRateLimiter(time, perSecond: 1, burst: 1);
        for (int i = 0; i < InboundRateLimiter.MaxTrackedSources; i++)
        {
            Assert.True(limiter.TryAcquire(new IPAddress((uint)i + 1)));
        }

        // Full of busy sources: a new one is refused rather than growing the table.
        var newcomer = IPAddress.Parse("198.51.100.7");
        Assert.False(limiter.TryAcquire(newcomer));
        Assert.Equal(InboundRateLimiter.MaxTrackedSources, limiter.TrackedSources);

        // Once they have refilled they carry no information and make room.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire(newcomer));
        Assert.Equal(1, limiter.TrackedSources);
    }
}
