using Rx.Network.Identity;

namespace Rx.Network.Tests.Protocols;

public sealed class RequestFailedExceptionTests
{
    [Fact]
    public void Constructors_SetMessageAndContext()
    {
        using var key = PrivateKey.Generate();
        var peer = PeerId.FromPublicKey(key.PublicKey);
        var inner = new StreamResetException(remote: true);

        var full = new RequestFailedException("/p/1.0.0", peer, "failed", inner);

        Assert.Equal("/p/1.0.0", full.Protocol);
        Assert.Equal(peer, full.Peer);
        Assert.Equal("failed", full.Message);
        Assert.Same(inner, full.InnerException);
        Assert.IsAssignableFrom<IOException>(full);
        Assert.Null(new RequestFailedException().Protocol);
        Assert.Null(new RequestFailedException("m").Peer);
        Assert.Same(inner, new RequestFailedException("m", inner).InnerException);
        Assert.False(string.IsNullOrEmpty(new RequestFailedException().Message));
    }

    [Fact]
    public void Constructor_ArgumentChecks()
    {
        using var key = PrivateKey.Generate();
        var peer = PeerId.FromPublicKey(key.PublicKey);

        Assert.Throws<ArgumentNullException>("protocol", () => new RequestFailedException(null!, peer, "m"));
        Assert.Throws<ArgumentNullException>("peer", () => new RequestFailedException("/p", null!, "m"));
        Assert.Throws<ArgumentNullException>("message", () => new RequestFailedException("/p", peer, null!));
    }
}
