using Rx.Network.Identity;

namespace Rx.Network.Tests.Security.Noise;

public class PeerIdMismatchExceptionTests
{
    [Fact]
    public void Constructor_WithPeers_ExposesBothAndNamesThem()
    {
        using var a = PrivateKey.Generate();
        using var b = PrivateKey.Generate();
        var expected = PeerId.FromPublicKey(a.PublicKey);
        var actual = PeerId.FromPublicKey(b.PublicKey);
        var e = new PeerIdMismatchException(expected, actual);
        Assert.Equal(expected, e.Expected);
        Assert.Equal(actual, e.Actual);
        Assert.Contains(expected.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains(actual.ToString(), e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<HandshakeException>(e);
    }

    [Fact]
    public void Constructors_Standard()
    {
        Assert.Null(new PeerIdMismatchException().Expected);
        Assert.Equal("m", new PeerIdMismatchException("m").Message);
        var inner = new InvalidOperationException();
        Assert.Same(inner, new PeerIdMismatchException("m", inner).InnerException);
    }

    [Fact]
    public void Constructor_NullPeer_Throws()
    {
        using var a = PrivateKey.Generate();
        var peer = PeerId.FromPublicKey(a.PublicKey);
        Assert.Throws<ArgumentNullException>(() => new PeerIdMismatchException(null!, peer));
        Assert.Throws<ArgumentNullException>(() => new PeerIdMismatchException(peer, null!));
    }
}
