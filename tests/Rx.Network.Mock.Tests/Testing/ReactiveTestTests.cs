using System.Reactive;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests.Testing;

public sealed class ReactiveTestTests : ReactiveTest
{
    [Fact]
    public void Constants_MatchRxNet()
    {
        Assert.Equal(100, Created);
        Assert.Equal(200, Subscribed);
        Assert.Equal(1000, Disposed);
    }

    [Fact]
    public void Factories_BuildTheExpectedNotifications()
    {
        var ex = new InvalidOperationException();

        Assert.Equal(new Recorded<Notification<int>>(10, Notification.CreateOnNext(3)), OnNext(10, 3));
        Assert.Equal(new Recorded<Notification<int>>(20, Notification.CreateOnCompleted<int>()), OnCompleted<int>(20));
        Assert.Equal(new Recorded<Notification<int>>(30, Notification.CreateOnError<int>(ex)), OnError<int>(30, ex));
        Assert.Equal(new Subscription(200, 300), Subscribe(200, 300));
        Assert.Equal(new Subscription(200, Subscription.Infinite), Subscribe(200));
    }

    [Fact]
    public void Factories_WithWitness_InferAnonymousTypes()
    {
        var witness = new { Id = 0, Name = "" };
        var ex = new InvalidOperationException();

        Assert.Equal(NotificationKind.OnCompleted, OnCompleted(20, witness).Value.Kind);
        Assert.Same(ex, OnError(30, ex, witness).Value.Exception);
        Assert.True(OnError(30, e => e == ex, witness).Equals(OnError(30, ex, witness)));
        Assert.True(OnNext(10, witness).Equals(OnNext(10, new { Id = 0, Name = "" })));
    }

    [Fact]
    public void Factories_ArgumentChecks()
    {
        Assert.Throws<ArgumentNullException>("predicate", () => OnNext<int>(10, (Func<int, bool>)null!));
        Assert.Throws<ArgumentNullException>("exception", () => OnError<int>(10, (Exception)null!));
        Assert.Throws<ArgumentNullException>("predicate", () => OnError<int>(10, (Func<Exception, bool>)null!));
        Assert.Throws<ArgumentNullException>("exception", () => OnError(10, (Exception)null!, 0));
        Assert.Throws<ArgumentNullException>("predicate", () => OnError(10, (Func<Exception, bool>)null!, 0));
        Assert.Throws<ArgumentOutOfRangeException>("unsubscribe", () => Subscribe(300, 200));
    }

    [Fact]
    public void OnNext_Predicate_IsCalledWithTheActualValue()
    {
        var seen = new List<int>();
        var expected = OnNext<int>(10, x => { seen.Add(x); return true; });

        Assert.True(expected.Equals(OnNext(10, 7)));

        Assert.Equal(new[] { 7 }, seen);
    }
}
