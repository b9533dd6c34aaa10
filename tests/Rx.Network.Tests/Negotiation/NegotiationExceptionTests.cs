namespace Rx.Network.Tests.Negotiation;

public class NegotiationExceptionTests
{
    [Fact]
    public void IsAnIOExceptionNotAFormatException()
    {
        var e = new NegotiationException();
        Assert.IsAssignableFrom<IOException>(e);
        Assert.IsNotAssignableFrom<FormatException>(e);
        Assert.Empty(e.ProtocolsTried);
        Assert.Equal(NegotiationFailure.NoCommonProtocol, e.Failure);
    }

    [Fact]
    public void Constructor_CopiesProtocolsTried()
    {
        var tried = new List<string> { "/a" };
        var inner = new TimeoutException();
        var e = new NegotiationException(NegotiationFailure.TimedOut, tried, "late", inner);
        tried.Add("/b");
        Assert.Equal(["/a"], e.ProtocolsTried);
        Assert.Equal(NegotiationFailure.TimedOut, e.Failure);
        Assert.Equal("late", e.Message);
        Assert.Same(inner, e.InnerException);
    }

    [Fact]
    public void MessageConstructors_Work()
    {
        Assert.Equal("m", new NegotiationException("m").Message);
        var inner = new IOException();
        Assert.Same(inner, new NegotiationException("m", inner).InnerException);
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => new NegotiationException(NegotiationFailure.Closed, null!, "m"));
        Assert.Throws<ArgumentNullException>(() => new NegotiationException(NegotiationFailure.Closed, [], null!));
    }
}
