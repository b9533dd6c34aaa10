using System.Reactive;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests.Testing;

public sealed class RecordedTests : ReactiveTest
{
    [Fact]
    public void Constructor_KeepsTimeAndValue()
    {
        var r = new Recorded<string>(42, "x");

        Assert.Equal(42, r.Time);
        Assert.Equal("x", r.Value);
    }

    [Fact]
    public void Constructor_ArgumentChecks_AcceptAnyTickAndNullValue()
    {
        // Nothing to reject: negative ticks are scheduled at Clock + 1 and null is a valid value.
        var r = new Recorded<string?>(-5, null);

        Assert.Equal(-5, r.Time);
        Assert.Null(r.Value);
        Assert.Equal("@-5", r.ToString());
    }

    [Fact]
    public void Equals_SameTimeAndValue_IsTrue()
    {
        var a = new Recorded<int>(10, 1);
        var b = new Recorded<int>(10, 1);

        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Equals_DifferentTimeOrValue_IsFalse()
    {
        var a = new Recorded<int>(10, 1);

        Assert.False(a.Equals(new Recorded<int>(11, 1)));
        Assert.False(a.Equals(new Recorded<int>(10, 2)));
        Assert.True(a != new Recorded<int>(10, 2));
        Assert.False(a.Equals((object)"not a recorded"));
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void Equals_Notifications_CompareByKindAndValue()
    {
        var ex = new InvalidOperationException();

        Assert.Equal(OnNext(10, 1), OnNext(10, 1));
        Assert.NotEqual(OnNext(10, 1), OnCompleted<int>(10));
        Assert.Equal(OnError<int>(10, ex), OnError<int>(10, ex));
        // Exceptions compare by reference, as in Rx.NET.
        Assert.NotEqual(OnError<int>(10, ex), OnError<int>(10, new InvalidOperationException()));
    }

    [Fact]
    public void Equals_PredicateNotification_MatchesByPredicateOnEitherSide()
    {
        var expected = OnNext<int>(10, x => x > 5);

        Assert.True(expected.Equals(OnNext(10, 6)));
        Assert.True(OnNext(10, 6).Equals(expected));
        Assert.True(OnNext(10, 6) == expected);
        Assert.False(expected.Equals(OnNext(10, 5)));
        Assert.False(OnNext(10, 5).Equals(expected));
        Assert.False(expected.Equals(OnNext(11, 6)));
        Assert.False(expected.Equals(OnCompleted<int>(10)));
        Assert.Equal(expected.GetHashCode(), OnNext(10, 6).GetHashCode());
    }

    [Fact]
    public void Equals_ErrorPredicate_MatchesOnlyErrors()
    {
        var expected = OnError<int>(10, e => e is ArgumentException);

        Assert.True(expected.Equals(OnError<int>(10, new ArgumentException("x"))));
        Assert.False(expected.Equals(OnError<int>(10, new InvalidOperationException())));
        Assert.False(expected.Equals(OnNext(10, 1)));
        Assert.False(expected.Equals(OnCompleted<int>(10)));
    }

    [Fact]
    public void ToString_IsValueAtTick()
    {
        Assert.Equal("OnNext(42)@210", OnNext(210, 42).ToString());
        Assert.Equal("OnCompleted()@250", OnCompleted<int>(250).ToString());
        Assert.Equal("OnNext(<matching predicate>)@300", OnNext<int>(300, _ => true).ToString());
        Assert.Equal("OnError(<matching predicate>)@300", OnError<int>(300, _ => true).ToString());
        Assert.Equal("x@7", new Recorded<string>(7, "x").ToString());
    }

    [Fact]
    public void PredicateNotification_HasNoValueAndCannotBeDelivered()
    {
        var next = OnNext<int>(10, _ => true).Value;
        var error = OnError<int>(10, _ => true).Value;

        Assert.Equal(NotificationKind.OnNext, next.Kind);
        Assert.True(next.HasValue);
        Assert.Equal(NotificationKind.OnError, error.Kind);
        Assert.False(error.HasValue);
        Assert.Throws<NotSupportedException>(() => next.Value);
        Assert.Throws<NotSupportedException>(() => error.Exception);
        Assert.Throws<NotSupportedException>(() => next.Accept(new TestScheduler().CreateObserver<int>()));
        Assert.Throws<NotSupportedException>(() => next.Accept(_ => { }, _ => { }, () => { }));
        Assert.Throws<NotSupportedException>(() => next.Accept(_ => 1, _ => 2, () => 3));
    }
}
