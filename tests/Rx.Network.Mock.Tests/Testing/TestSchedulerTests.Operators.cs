using System.Reactive.Linq;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests.Testing;

/// <summary>
/// System.Reactive operators driven the way Rx.NET's own operator tests drive them, with the
/// ticks those tests expect: if the kit's timing differed from Microsoft.Reactive.Testing, these
/// would fail.
/// </summary>
public sealed partial class TestSchedulerTests
{
    [Fact]
    public void Operators_WhereSelect_OnHotObservable()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(230, 3),
            OnNext(240, 4),
            OnNext(290, 5),
            OnCompleted<int>(300),
            OnNext(310, 6));

        var res = scheduler.Start(() => xs.Where(x => x % 2 == 0).Select(x => x * 10));

        res.Messages.AssertEqual(OnNext(210, 20), OnNext(240, 40), OnCompleted<int>(300));
        xs.Subscriptions.AssertEqual(Subscribe(200, 300));
    }

    [Fact]
    public void Operators_Select_InfiniteSourceIsCutAtDisposal()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(150, 1), OnNext(210, 2), OnNext(999, 3), OnNext(1010, 4));

        var res = scheduler.Start(() => xs.Select(x => x + 1));

        res.Messages.AssertEqual(OnNext(210, 3), OnNext(999, 4));
        xs.Subscriptions.AssertEqual(Subscribe(200, 1000));
    }

    [Fact]
    public void Operators_Merge_InterleavesByTick()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(150, 1), OnNext(215, 2), OnNext(225, 4), OnCompleted<int>(240));
        var ys = scheduler.CreateHotObservable(OnNext(150, 1), OnNext(210, 3), OnNext(230, 5), OnCompleted<int>(250));

        var res = scheduler.Start(() => xs.Merge(ys));

        res.Messages.AssertEqual(OnNext(210, 3), OnNext(215, 2), OnNext(225, 4), OnNext(230, 5), OnCompleted<int>(250));
        xs.Subscriptions.AssertEqual(Subscribe(200, 240));
        ys.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    [Fact]
    public void Operators_Throttle_EmitsAfterQuietPeriod()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 0),
            OnNext(210, 1),
            OnNext(240, 2),
            OnNext(250, 3),
            OnNext(280, 4),
            OnCompleted<int>(300));

        var res = scheduler.Start(() => xs.Throttle(TimeSpan.FromTicks(20), scheduler));

        // 2 is dropped (3 came 10 ticks later); 4 is flushed by completion.
        res.Messages.AssertEqual(OnNext(230, 1), OnNext(270, 3), OnNext(300, 4), OnCompleted<int>(300));
        xs.Subscriptions.AssertEqual(Subscribe(200, 300));
    }

    [Fact]
    public void Operators_Delay_ShiftsEveryNotification()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(250, 2),
            OnNext(350, 3),
            OnNext(450, 4),
            OnCompleted<int>(550));

        var res = scheduler.Start(() => xs.Delay(TimeSpan.FromTicks(100), scheduler));

        res.Messages.AssertEqual(OnNext(350, 2), OnNext(450, 3), OnNext(550, 4), OnCompleted<int>(650));
        xs.Subscriptions.AssertEqual(Subscribe(200, 550));
    }

    [Fact]
    public void Operators_Timer_FiresOnceAfterDueTime()
    {
        var scheduler = new TestScheduler();

        var res = scheduler.Start(() => Observable.Timer(TimeSpan.FromTicks(300), scheduler));

        res.Messages.AssertEqual(OnNext(500, 0L), OnCompleted<long>(500));
    }

    [Fact]
    public void Operators_Interval_IsCutAtDisposal()
    {
        var scheduler = new TestScheduler();

        var res = scheduler.Start(() => Observable.Interval(TimeSpan.FromTicks(100), scheduler));

        res.Messages.AssertEqual(
            OnNext(300, 0L),
            OnNext(400, 1L),
            OnNext(500, 2L),
            OnNext(600, 3L),
            OnNext(700, 4L),
            OnNext(800, 5L),
            OnNext(900, 6L));
        // Disposal cancelled the next period, so the scheduler ran dry at 1000.
        Assert.Equal(1000, scheduler.Clock);
    }

    [Fact]
    public void Operators_Take_EndsTheSubscriptionEarly()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(220, 3),
            OnNext(230, 4),
            OnCompleted<int>(250));

        var res = scheduler.Start(() => xs.Take(2));

        res.Messages.AssertEqual(OnNext(210, 2), OnNext(220, 3), OnCompleted<int>(220));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Fact]
    public void Operators_Select_PropagatesSourceError()
    {
        var scheduler = new TestScheduler();
        var ex = new InvalidOperationException("boom");
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnError<int>(220, ex), OnNext(230, 2));

        var res = scheduler.Start(() => xs.Select(x => x * 2));

        res.Messages.AssertEqual(OnNext(210, 2), OnError<int>(220, ex));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Fact]
    public void Operators_Select_SelectorThrows_ErrorsAndUnsubscribes()
    {
        var scheduler = new TestScheduler();
        var ex = new InvalidOperationException("selector");
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(230, 2), OnNext(240, 3), OnCompleted<int>(300));

        var res = scheduler.Start(() => xs.Select(x => x == 2 ? throw ex : x));

        res.Messages.AssertEqual(OnNext(210, 1), OnError<int>(230, ex));
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
    }

    [Fact]
    public void Operators_Repeat_ResubscribesColdObservable()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(5, 1), OnNext(10, 2), OnCompleted<int>(20));

        var res = scheduler.Start(() => xs.Repeat(3));

        res.Messages.AssertEqual(
            OnNext(205, 1),
            OnNext(210, 2),
            OnNext(225, 1),
            OnNext(230, 2),
            OnNext(245, 1),
            OnNext(250, 2),
            OnCompleted<int>(260));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220), Subscribe(220, 240), Subscribe(240, 260));
    }

    [Fact]
    public void Operators_Concat_SubscribesSecondColdObservableWhenFirstCompletes()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(10, 1), OnCompleted<int>(30));
        var ys = scheduler.CreateColdObservable(OnNext(10, 2), OnNext(20, 3), OnCompleted<int>(50));

        var res = scheduler.Start(() => xs.Concat(ys));

        res.Messages.AssertEqual(OnNext(210, 1), OnNext(240, 2), OnNext(250, 3), OnCompleted<int>(280));
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
        ys.Subscriptions.AssertEqual(Subscribe(230, 280));
    }

    [Fact]
    public void Operators_Predicates_MatchRecordedValuesAndErrors()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, "alpha"), OnError<string>(250, new TimeoutException("late")));

        var res = scheduler.Start(() => xs.Select(s => s.ToUpperInvariant()));

        res.Messages.AssertEqual(
            OnNext<string>(210, s => s.StartsWith('A')),
            OnError<string>(250, e => e is TimeoutException { Message: "late" }));
    }
}
