using Rx.Network.Protocols;

namespace Rx.Network.Tests.Protocols;

public class IdentifyOptionsTests
{
    [Fact]
    public void Default_MatchesGoAndJsLibp2p()
    {
        var options = IdentifyOptions.Default;

        Assert.Equal("ipfs/0.1.0", options.ProtocolVersion);
        Assert.Equal(8 * 1024, options.MaxMessageSize);
        Assert.Equal(10, options.MaxMessages);
        Assert.Equal(32, options.PushConcurrency);
        Assert.Equal(10, options.MaxObservedAddresses);
        Assert.Equal(256, options.MaxProtocols);
        Assert.Equal(64, options.MaxListenAddresses);
        Assert.Equal(10, options.MaxPushesPerMinute);
        Assert.True(options.IdentifyNewConnections);
        Assert.True(options.PushUpdates);
        Assert.Matches(@"^rx-network/\d+\.\d+\.\d+", options.AgentVersion);
        Assert.DoesNotContain("+", options.AgentVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void With_ChangesOneSetting()
    {
        var options = IdentifyOptions.Default with { AgentVersion = "me/1.0", PushDelay = TimeSpan.Zero };

        Assert.Equal("me/1.0", options.AgentVersion);
        Assert.Equal(TimeSpan.Zero, options.PushDelay);
        Assert.Equal(IdentifyOptions.Default.Timeout, options.Timeout);
    }

    [Fact]
    public void ArgumentChecks()
    {
        Assert.ThrowsAny<ArgumentException>(() => new IdentifyOptions { AgentVersion = "" });
        Assert.ThrowsAny<ArgumentException>(() => new IdentifyOptions { AgentVersion = null! });
        Assert.ThrowsAny<ArgumentException>(() => new IdentifyOptions { AgentVersion = new string('a', 1025) });
        Assert.ThrowsAny<ArgumentException>(() => new IdentifyOptions { ProtocolVersion = "" });
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdentifyOptions { Timeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdentifyOptions { MaxMessageSize = 1023 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdentifyOptions { MaxMessageSize = (1 << 22) + 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdentifyOptions { MaxMessages = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdentifyOptions { MaxMessages = 101 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdentifyOptions { PushDelay = TimeSpan.FromTicks(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdentifyOptions { PushConcurrency = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdentifyOptions { MaxObservedAddresses = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdentifyOptions { MaxProtocols = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdentifyOptions { MaxListenAddresses = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new IdentifyOptions { MaxPushesPerMinute = 0 });
    }
}
