namespace Rx.Network.Tests.Security.Noise;

public class HandshakeExceptionTests
{
    [Fact]
    public void Constructors_SetMessageAndInner()
    {
        Assert.False(string.IsNullOrEmpty(new HandshakeException().Message));
        Assert.Equal("m", new HandshakeException("m").Message);
        var inner = new WireProtocolViolationException("bad");
        var e = new HandshakeException("m", inner);
        Assert.Same(inner, e.InnerException);
        Assert.IsAssignableFrom<IOException>(e);
    }
}
