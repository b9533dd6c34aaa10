namespace Rx.Network.Mock.Tests;

public sealed class LinkOptionsTests
{
    [Fact]
    public void Default_IsAPerfectLink()
    {
        var options = LinkOptions.Default;

        Assert.Equal(TimeSpan.Zero, options.Latency);
        Assert.Equal(TimeSpan.Zero, options.Jitter);
        Assert.Null(options.Bandwidth);
        Assert.False(options.Down);
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkOptions { Latency = TimeSpan.FromTicks(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkOptions { Jitter = TimeSpan.FromTicks(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkOptions { Bandwidth = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkOptions { Bandwidth = -1 });
    }

    [Fact]
    public void With_KeepsTheOtherSettings()
    {
        var options = new LinkOptions { Latency = TimeSpan.FromMilliseconds(5), Bandwidth = 1000 };

        var down = options with { Down = true };

        Assert.True(down.Down);
        Assert.Equal(options.Latency, down.Latency);
        Assert.Equal(1000, down.Bandwidth);
        Assert.NotEqual(options, down);
    }
}
