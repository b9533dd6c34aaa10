using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests.Testing;

public sealed class SubscriptionTests
{
    [Fact]
    public void Constructor_WithoutEnd_IsInfinite()
    {
        var s = new Subscription(200);

        Assert.Equal(200, s.Subscribe);
        Assert.Equal(Subscription.Infinite, s.Unsubscribe);
        Assert.Equal(long.MaxValue, Subscription.Infinite);
    }

    [Fact]
    public void Constructor_ArgumentChecks()
    {
        Assert.Throws<ArgumentOutOfRangeException>("unsubscribe", () => new Subscription(200, 199));

        var sameTick = new Subscription(200, 200);
        Assert.Equal(200, sameTick.Unsubscribe);
    }

    [Fact]
    public void Equals_ComparesBothTicks()
    {
        var a = new Subscription(200, 300);

        Assert.True(a.Equals(new Subscription(200, 300)));
        Assert.True(a == new Subscription(200, 300));
        Assert.True(a.Equals((object)new Subscription(200, 300)));
        Assert.Equal(a.GetHashCode(), new Subscription(200, 300).GetHashCode());
        Assert.False(a.Equals(new Subscription(200, 301)));
        Assert.False(a.Equals(new Subscription(199, 300)));
        Assert.True(a != new Subscription(200));
        Assert.False(a.Equals((object)200L));
    }

    [Fact]
    public void ToString_ShowsTicks()
    {
        Assert.Equal("(200, 1000)", new Subscription(200, 1000).ToString());
        Assert.Equal("(200, Infinite)", new Subscription(200).ToString());
    }
}
