namespace Rx.Network.Tests.Muxing;

public class StreamResetExceptionTests
{
    [Fact]
    public void Constructors_SetSideAndCode()
    {
        var remote = new StreamResetException(remote: true, code: 7);
        Assert.True(remote.Remote);
        Assert.Equal(7u, remote.Code);
        Assert.Contains("remote", remote.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(remote);

        var local = new StreamResetException(remote: false);
        Assert.False(local.Remote);
        Assert.Equal(0u, local.Code);

        Assert.False(new StreamResetException().Remote);
        Assert.Equal("m", new StreamResetException("m").Message);
        var inner = new InvalidOperationException();
        Assert.Same(inner, new StreamResetException("m", inner).InnerException);
    }
}

public class MuxerClosedExceptionTests
{
    [Fact]
    public void Constructors_SetSideCodeAndCause()
    {
        var inner = new WireProtocolViolationException("bad");
        var e = new MuxerClosedException("closed", remote: true, errorCode: 2, inner);
        Assert.True(e.Remote);
        Assert.Equal(2u, e.ErrorCode);
        Assert.Same(inner, e.InnerException);
        Assert.IsAssignableFrom<IOException>(e);

        Assert.Null(new MuxerClosedException().ErrorCode);
        Assert.False(new MuxerClosedException("m").Remote);
        Assert.Same(inner, new MuxerClosedException("m", inner).InnerException);
    }
}

public class StreamLimitExceededExceptionTests
{
    [Fact]
    public void Constructors_SetLimit()
    {
        var e = new StreamLimitExceededException(1024);
        Assert.Equal(1024, e.Limit);
        Assert.Contains("1024", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Equal(0, new StreamLimitExceededException().Limit);
        Assert.Equal("m", new StreamLimitExceededException("m").Message);
        var inner = new InvalidOperationException();
        Assert.Same(inner, new StreamLimitExceededException("m", inner).InnerException);
    }
}
