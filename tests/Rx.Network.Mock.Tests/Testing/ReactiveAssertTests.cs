using System.Reactive;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests.Testing;

public sealed class ReactiveAssertTests : ReactiveTest
{
    [Fact]
    public void AssertEqual_EqualSequences_DoesNotThrow()
    {
        var actual = new List<Recorded<Notification<int>>> { OnNext(210, 1), OnCompleted<int>(250) };

        actual.AssertEqual(OnNext(210, 1), OnCompleted<int>(250));
        actual.AssertEqual((IEnumerable<Recorded<Notification<int>>>)[OnNext(210, 1), OnCompleted<int>(250)]);
        new[] { Subscribe(200, 250) }.AssertEqual(Subscribe(200, 250));
        Array.Empty<Subscription>().AssertEqual();
    }

    [Fact]
    public void AssertEqual_DifferentElement_ThrowsListingBothSequences()
    {
        var actual = new[] { OnNext(210, 1), OnNext(220, 2), OnCompleted<int>(230) };

        var ex = Assert.Throws<ReactiveAssertException>(() =>
            actual.AssertEqual(OnNext(210, 1), OnNext(220, 3), OnCompleted<int>(230)));

        Assert.Contains("Expected: [OnNext(1)@210, OnNext(3)@220, OnCompleted()@230]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Actual:   [OnNext(1)@210, OnNext(2)@220, OnCompleted()@230]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("index 1: expected OnNext(3)@220, actual OnNext(2)@220", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssertEqual_DifferentTick_Throws()
    {
        var actual = new[] { OnNext(211, 1) };

        Assert.Throws<ReactiveAssertException>(() => actual.AssertEqual(OnNext(210, 1)));
    }

    [Fact]
    public void AssertEqual_MissingElement_Throws()
    {
        var actual = new[] { Subscribe(200, 300) };

        var ex = Assert.Throws<ReactiveAssertException>(() => actual.AssertEqual(Subscribe(200, 300), Subscribe(300)));

        Assert.Contains("Expected: [(200, 300), (300, Infinite)]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Actual:   [(200, 300)]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("first missing: (300, Infinite)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssertEqual_ExtraElement_Throws()
    {
        var actual = new[] { OnNext(210, 1), OnCompleted<int>(220) };

        var ex = Assert.Throws<ReactiveAssertException>(() => actual.AssertEqual(OnNext(210, 1)));

        Assert.Contains("first extra: OnCompleted()@220", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssertEqual_Predicate_ComparesThroughThePredicate()
    {
        var actual = new[] { OnNext(210, 5), OnError<int>(220, new TimeoutException()) };

        actual.AssertEqual(OnNext<int>(210, x => x == 5), OnError<int>(220, e => e is TimeoutException));
        Assert.Throws<ReactiveAssertException>(() => actual.AssertEqual(OnNext<int>(210, x => x == 6), OnError<int>(220, _ => true)));
        Assert.Throws<ReactiveAssertException>(() => actual.AssertEqual(OnNext<int>(210, _ => true), OnError<int>(220, e => e is ArgumentException)));
    }

    [Fact]
    public void AreElementsEqual_Message_HeadsTheFailure()
    {
        var ex = Assert.Throws<ReactiveAssertException>(() =>
            ReactiveAssert.AreElementsEqual(new[] { 1, 2 }, new[] { 1 }, "after reconnect"));

        Assert.StartsWith("after reconnect", ex.Message, StringComparison.Ordinal);
        ReactiveAssert.AreElementsEqual(new[] { 1, 2 }, new List<int> { 1, 2 });
    }

    [Fact]
    public void AssertEqual_ArgumentChecks()
    {
        Assert.Throws<ArgumentNullException>("actual", () => ((int[])null!).AssertEqual(1));
        Assert.Throws<ArgumentNullException>("expected", () => new[] { 1 }.AssertEqual((int[])null!));
        Assert.Throws<ArgumentNullException>("expected", () => new[] { 1 }.AssertEqual((IEnumerable<int>)null!));
        Assert.Throws<ArgumentNullException>("expected", () => ReactiveAssert.AreElementsEqual(null!, new[] { 1 }));
        Assert.Throws<ArgumentNullException>("actual", () => ReactiveAssert.AreElementsEqual(new[] { 1 }, null!));
    }
}
