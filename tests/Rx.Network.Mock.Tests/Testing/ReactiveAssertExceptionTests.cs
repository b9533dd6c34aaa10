using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests.Testing;

public sealed class ReactiveAssertExceptionTests
{
    [Fact]
    public void Constructors_KeepMessageAndInner()
    {
        var inner = new InvalidOperationException();

        Assert.False(string.IsNullOrEmpty(new ReactiveAssertException().Message));
        Assert.Equal("m", new ReactiveAssertException("m").Message);
        Assert.Same(inner, new ReactiveAssertException("m", inner).InnerException);
    }

    [Fact]
    public void Constructors_ArgumentChecks_AcceptNulls()
    {
        // Like every Exception, null message and inner exception are allowed.
        Assert.Null(new ReactiveAssertException(null, null).InnerException);
        Assert.False(string.IsNullOrEmpty(new ReactiveAssertException(null).Message));
    }
}
