using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

public class YamuxOptionsTests
{
    [Fact]
    public void DefaultMaxFrameSize_FillsExactlyOneNoiseMessage()
    {
        Assert.Equal(Rx.Network.Security.Noise.NoiseFrameCodec.MaxPlaintextSize, YamuxOptions.DefaultMaxFrameSize + YamuxHeader.Size);
    }

    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = YamuxOptions.Default;
        Assert.Equal(256 * 1024, options.InitialStreamWindow);
        Assert.Equal(16 * 1024 * 1024, options.MaxStreamWindow);
        Assert.Equal(65507, options.MaxFrameSize); // one frame + header + tag = one 65535-byte Noise message
        Assert.Equal(1024, options.MaxInboundStreams);
        Assert.Equal(1024, options.MaxOutboundStreams);
        Assert.Equal(256, options.AcceptBacklog);
        Assert.Equal(256, options.MaxAckBacklog);
        Assert.Equal(TimeSpan.FromSeconds(30), options.KeepAliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.PingTimeout);
        Assert.True(options.PingOnStart);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CloseTimeout);
    }

    [Fact]
    public void Arguments_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new YamuxOptions { InitialStreamWindow = 1000 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new YamuxOptions { MaxStreamWindow = 1000 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new YamuxOptions { MaxFrameSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new YamuxOptions { MaxFrameSize = (1024 * 1024) + 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new YamuxOptions { MaxInboundStreams = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new YamuxOptions { MaxOutboundStreams = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new YamuxOptions { AcceptBacklog = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new YamuxOptions { MaxAckBacklog = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new YamuxOptions { KeepAliveInterval = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new YamuxOptions { PingTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new YamuxOptions { CloseTimeout = TimeSpan.FromTicks(-1) });
        Assert.Null(new YamuxOptions { KeepAliveInterval = null }.KeepAliveInterval);
        Assert.Throws<ArgumentException>(() => new YamuxOptions { InitialStreamWindow = 1024 * 1024, MaxStreamWindow = 512 * 1024 }.Validate());
    }
}
