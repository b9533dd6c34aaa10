using Rx.Network.Tests.Negotiation;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Transports;

public class TcpTransportOptionsTests
{
    [Fact]
    public void Default_IsBounded()
    {
        var options = TcpTransportOptions.Default;
        Assert.Equal(TimeSpan.FromSeconds(5), options.ConnectTimeout);
        Assert.Equal(128, options.ListenBacklog);
        Assert.Equal(1024 * 1024, options.MaxReceiveBufferSize);
        Assert.Equal(1024 * 1024, options.MaxSendBufferSize);
        Assert.Same(TimeProvider.System, options.TimeProvider);
    }

    [Fact]
    public void Init_KeepsValues()
    {
        var time = new ManualTimeProvider();
        var options = new TcpTransportOptions
        {
            ConnectTimeout = Timeout.InfiniteTimeSpan,
            TimeProvider = time,
            ListenBacklog = 1,
            MaxReceiveBufferSize = TcpTransportOptions.MinBufferSize,
            MaxSendBufferSize = 1 << 22,
        };
        Assert.Equal(Timeout.InfiniteTimeSpan, options.ConnectTimeout);
        Assert.Same(time, options.TimeProvider);
        Assert.Equal(1, options.ListenBacklog);
        Assert.Equal(16 * 1024, options.MaxReceiveBufferSize);
        Assert.Equal(1 << 22, options.MaxSendBufferSize);
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransportOptions { ConnectTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentNullException>(() => new TcpTransportOptions { TimeProvider = null! });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransportOptions { ListenBacklog = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransportOptions { MaxReceiveBufferSize = 1024 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransportOptions { MaxSendBufferSize = 0 });
        Assert.Throws<ArgumentNullException>(() => new TcpTransportOptions { Resolver = null! });
    }
}
