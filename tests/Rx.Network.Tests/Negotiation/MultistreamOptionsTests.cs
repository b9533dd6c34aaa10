using Rx.Network.Negotiation;

namespace Rx.Network.Tests.Negotiation;

public class MultistreamOptionsTests
{
    [Fact]
    public void Default_HasBoundedRefusalsAndNoTimeout()
    {
        var options = MultistreamOptions.Default;
        Assert.Equal(16, options.MaxRefusals);
        Assert.Equal(MultistreamOptions.DefaultMaxRefusals, options.MaxRefusals);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.Timeout);
        Assert.Same(TimeProvider.System, options.TimeProvider);
    }

    [Fact]
    public void Init_KeepsValues()
    {
        var time = new ManualTimeProvider();
        var options = new MultistreamOptions { MaxRefusals = 0, Timeout = TimeSpan.FromSeconds(3), TimeProvider = time };
        Assert.Equal(0, options.MaxRefusals);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        Assert.Same(time, options.TimeProvider);
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultistreamOptions { MaxRefusals = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultistreamOptions { Timeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultistreamOptions { Timeout = TimeSpan.FromSeconds(-2) });
        Assert.Throws<ArgumentNullException>(() => new MultistreamOptions { TimeProvider = null! });
    }
}
