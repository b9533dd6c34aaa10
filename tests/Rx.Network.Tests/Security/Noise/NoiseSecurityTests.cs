using Rx.Network.Identity;
using Rx.Network.Security.Noise;

namespace Rx.Network.Tests.Security.Noise;

public class NoiseSecurityTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Constructor_SetsIdentityAndDefaults()
    {
        using var key = PrivateKey.Generate();
        var security = new NoiseSecurity(key, ["/yamux/1.0.0"]);
        Assert.Equal("/noise", NoiseSecurity.ProtocolId);
        Assert.Equal(PeerId.FromPublicKey(key.PublicKey), security.LocalPeer);
        Assert.Equal(["/yamux/1.0.0"], security.Muxers);
        Assert.Empty(new NoiseSecurity(key).Muxers);
    }

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        using var key = PrivateKey.Generate();
        Assert.Throws<ArgumentNullException>(() => new NoiseSecurity(null!));
        Assert.Throws<ArgumentException>(() => new NoiseSecurity(key, [""]));
        Assert.Throws<ArgumentNullException>(() => new NoiseSecurity(key, [null!]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NoiseSecurity(key, handshakeTimeout: TimeSpan.Zero));
        _ = new NoiseSecurity(key, handshakeTimeout: Timeout.InfiniteTimeSpan);
    }

    [Fact]
    public async Task SecureOutboundAndInbound_Handshake()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var dialer = new NoiseSecurity(alice, ["/yamux/1.0.0"]);
        var listener = new NoiseSecurity(bob, ["/yamux/1.0.0"]);
        var (left, right) = NoiseTestKit.CreateConnection();
        var inbound = listener.SecureInboundAsync(right);
        using var outbound = await dialer.SecureOutboundAsync(left, listener.LocalPeer).WaitAsync(TestTimeout);
        using var accepted = await inbound.WaitAsync(TestTimeout);
        Assert.Equal(listener.LocalPeer, outbound.RemotePeer);
        Assert.Equal(dialer.LocalPeer, accepted.RemotePeer);
        Assert.Equal("/yamux/1.0.0", outbound.EarlyMuxer);
        Assert.Equal("/yamux/1.0.0", accepted.EarlyMuxer);
    }

    [Fact]
    public async Task SecureOutbound_UsesConfiguredTimeProvider()
    {
        using var alice = PrivateKey.Generate();
        var time = new ManualTimeProvider();
        var dialer = new NoiseSecurity(alice, timeProvider: time, handshakeTimeout: TimeSpan.FromSeconds(5));
        var (left, right) = NoiseTestKit.CreateConnection();
        var handshake = dialer.SecureOutboundAsync(left, null);
        await NoiseTestKit.ReadFramedAsync(right.Input);
        time.Advance(TimeSpan.FromSeconds(5));
        var e = await Record.ExceptionAsync(() => handshake.WaitAsync(TestTimeout));
        Assert.IsType<TimeoutException>(Assert.IsType<HandshakeException>(e).InnerException);
    }
}
