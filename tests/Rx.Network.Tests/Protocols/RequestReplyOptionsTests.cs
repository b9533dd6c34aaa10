using Microsoft.Extensions.Time.Testing;
using Rx.Network.Encoding;
using Rx.Network.Protocols;

namespace Rx.Network.Tests.Protocols;

public sealed class RequestReplyOptionsTests
{
    [Fact]
    public void Default_DocumentedValues()
    {
        var options = RequestReplyOptions.Default;

        Assert.Equal(LengthPrefixed.MessageSizeMax, options.MaxRequestSize);
        Assert.Equal(4 * 1024 * 1024, options.MaxReplySize);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestTimeout);
        Assert.Equal(64, options.MaxConcurrentHandlers);
        Assert.Equal(256, options.MaxWaitingRequests);
        Assert.Null(options.TimeProvider);
    }

    [Fact]
    public void Init_ValidValues_Kept()
    {
        var time = new FakeTimeProvider();
        var options = new RequestReplyOptions
        {
            MaxRequestSize = 0,
            MaxReplySize = int.MaxValue,
            RequestTimeout = Timeout.InfiniteTimeSpan,
            MaxConcurrentHandlers = 1,
            MaxWaitingRequests = 0,
            TimeProvider = time,
        };

        Assert.Equal(0, options.MaxRequestSize);
        Assert.Equal(int.MaxValue, options.MaxReplySize);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.RequestTimeout);
        Assert.Equal(1, options.MaxConcurrentHandlers);
        Assert.Equal(0, options.MaxWaitingRequests);
        Assert.Same(time, options.TimeProvider);
    }

    [Fact]
    public void Init_ArgumentChecks()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestReplyOptions { MaxRequestSize = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestReplyOptions { MaxReplySize = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestReplyOptions { RequestTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestReplyOptions { RequestTimeout = TimeSpan.FromSeconds(-2) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestReplyOptions { MaxConcurrentHandlers = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestReplyOptions { MaxWaitingRequests = -1 });
    }
}
