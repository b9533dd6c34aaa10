using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using CsCheck;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests.Testing;

/// <summary>The scheduler's own mechanics; operator scenarios are in TestSchedulerTests.Operators.cs.</summary>
public sealed partial class TestSchedulerTests : ReactiveTest
{
    [Fact]
    public void Constructor_ClockStartsAtZero()
    {
        var scheduler = new TestScheduler();

        Assert.Equal(0, scheduler.Clock);
        Assert.Equal(new DateTimeOffset(0, TimeSpan.Zero), scheduler.Now);
    }

    [Fact]
    public void Now_OneVirtualTickIsOneTimeSpanTick()
    {
        var scheduler = new TestScheduler();

        scheduler.AdvanceTo(12345);

        Assert.Equal(new DateTimeOffset(12345, TimeSpan.Zero), scheduler.Now);
    }

    [Fact]
    public void Schedule_TimeSpanIsCountedInTicks()
    {
        var scheduler = new TestScheduler();
        long ranAt = -1;

        scheduler.Schedule(TimeSpan.FromTicks(42), () => ranAt = scheduler.Clock);
        scheduler.Start();

        Assert.Equal(42, ranAt);
    }

    [Fact]
    public void Start_CreatesSubscribesAndDisposesAtTheDefaultTicks()
    {
        var scheduler = new TestScheduler();
        var log = new List<string>();

        var res = scheduler.Start(() =>
        {
            log.Add($"created {scheduler.Clock}");
            return Observable.Create<int>(_ =>
            {
                log.Add($"subscribed {scheduler.Clock}");
                return Disposable.Create(() => log.Add($"disposed {scheduler.Clock}"));
            });
        });

        Assert.Equal(new[] { "created 100", "subscribed 200", "disposed 1000" }, log);
        Assert.Empty(res.Messages);
        Assert.Equal(1000, scheduler.Clock);
    }

    [Fact]
    public void Start_WithDisposedTick_UsesDefaultCreatedAndSubscribed()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(150, 1), OnNext(210, 2), OnNext(310, 3), OnNext(410, 4));

        var res = scheduler.Start(() => xs, 400);

        res.Messages.AssertEqual(OnNext(210, 2), OnNext(310, 3));
        xs.Subscriptions.AssertEqual(Subscribe(200, 400));
    }

    [Fact]
    public void Start_WithAllTicks_UsesThem()
    {
        var scheduler = new TestScheduler();
        var created = -1L;
        var xs = scheduler.CreateColdObservable(OnNext(10, 'a'), OnCompleted<char>(20));

        var res = scheduler.Start(() => { created = scheduler.Clock; return xs; }, created: 50, subscribed: 300, disposed: 600);

        Assert.Equal(50, created);
        res.Messages.AssertEqual(OnNext(310, 'a'), OnCompleted<char>(320));
        // A test observable does not end the subscription when it completes; Start's disposal does.
        xs.Subscriptions.AssertEqual(Subscribe(300, 600));
    }

    [Fact]
    public void Start_ArgumentChecks()
    {
        var scheduler = new TestScheduler();
        var never = Observable.Never<int>();

        Assert.Throws<ArgumentNullException>("create", () => scheduler.Start<int>(null!));
        Assert.Throws<ArgumentNullException>("create", () => scheduler.Start<int>(null!, 500));
        Assert.Throws<ArgumentNullException>("create", () => scheduler.Start<int>(null!, 100, 200, 300));
        Assert.Throws<ArgumentOutOfRangeException>("subscribed", () => scheduler.Start(() => never, 300, 200, 1000));
        Assert.Throws<ArgumentOutOfRangeException>("disposed", () => scheduler.Start(() => never, 100, 200, 150));
        Assert.Throws<ArgumentOutOfRangeException>("disposed", () => scheduler.Start(() => never, 150));

        // Nothing was scheduled by the rejected calls.
        scheduler.Start();
        Assert.Equal(0, scheduler.Clock);
    }

    [Fact]
    public void Start_FactoryReturnsNull_ThrowsInvalidOperation()
    {
        var scheduler = new TestScheduler();

        Assert.Throws<InvalidOperationException>(() => scheduler.Start<int>(() => null!));
    }

    [Fact]
    public void ScheduleAbsolute_NullAction_Throws()
    {
        var scheduler = new TestScheduler();

        Assert.Throws<ArgumentNullException>("action", () => scheduler.ScheduleAbsolute<int>(0, 10, null!));
    }

    [Fact]
    public void ScheduleAbsolute_InThePast_RunsOneTickAfterNow()
    {
        var scheduler = new TestScheduler();
        var ranAt = new List<(string, long)>();
        scheduler.AdvanceTo(100);

        scheduler.ScheduleAbsolute(0, 50, (_, _) => { ranAt.Add(("past", scheduler.Clock)); return Disposable.Empty; });
        scheduler.ScheduleAbsolute(0, 100, (_, _) => { ranAt.Add(("now", scheduler.Clock)); return Disposable.Empty; });
        scheduler.ScheduleAbsolute(0, 101, (_, _) => { ranAt.Add(("next", scheduler.Clock)); return Disposable.Empty; });
        scheduler.Schedule(() => ranAt.Add(("immediate", scheduler.Clock)));
        scheduler.Start();

        // Bumped work keeps its scheduling order among work due at the same tick.
        Assert.Equal(new[] { ("past", 101L), ("now", 101L), ("next", 101L), ("immediate", 101L) }, ranAt);
    }

    [Fact]
    public void ScheduleAbsolute_FromInsideRunningWork_RunsOneTickLater()
    {
        var scheduler = new TestScheduler();
        long innerRanAt = -1;

        scheduler.ScheduleAbsolute(0, 300, (s, _) =>
            s.Schedule(() => innerRanAt = scheduler.Clock));
        scheduler.Start();

        Assert.Equal(301, innerRanAt);
    }

    [Fact]
    public void Start_ImmediateSchedulingTakesOneTick_AsInRxNet()
    {
        var scheduler = new TestScheduler();

        var res = scheduler.Start(() => Observable.Return(42, scheduler));

        res.Messages.AssertEqual(OnNext(201, 42), OnCompleted<int>(201));
    }

    [Fact]
    public void ScheduleAbsolute_Disposed_DoesNotRun()
    {
        var scheduler = new TestScheduler();
        var ran = false;

        var d = scheduler.ScheduleAbsolute(0, 10, (_, _) => { ran = true; return Disposable.Empty; });
        d.Dispose();
        scheduler.Start();

        Assert.False(ran);
    }

    [Fact]
    public void AdvanceTo_RunsWorkDueUpToThatTickOnly()
    {
        var scheduler = new TestScheduler();
        var ran = new List<long>();
        foreach (var t in new long[] { 100, 200, 300 })
        {
            scheduler.ScheduleAbsolute(t, t, (_, due) => { ran.Add(due); return Disposable.Empty; });
        }

        scheduler.AdvanceTo(200);
        Assert.Equal(200, scheduler.Clock);
        Assert.Equal(new[] { 100L, 200L }, ran);

        scheduler.AdvanceTo(250);
        Assert.Equal(250, scheduler.Clock);
        Assert.Equal(new[] { 100L, 200L }, ran);
    }

    [Fact]
    public void AdvanceBy_MovesTheClockRelatively()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(10, 1), OnNext(20, 2), OnCompleted<int>(30));
        var observer = scheduler.CreateObserver<int>();

        scheduler.AdvanceBy(100);
        xs.Subscribe(observer);
        scheduler.AdvanceBy(15);

        Assert.Equal(115, scheduler.Clock);
        observer.Messages.AssertEqual(OnNext(110, 1));

        scheduler.AdvanceBy(100);
        observer.Messages.AssertEqual(OnNext(110, 1), OnNext(120, 2), OnCompleted<int>(130));
        xs.Subscriptions.AssertEqual(Subscribe(100));
    }

    [Fact]
    public void AdvanceTo_Past_Throws()
    {
        var scheduler = new TestScheduler();
        scheduler.AdvanceTo(100);

        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.AdvanceTo(50));
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.AdvanceBy(-1));
        Assert.Equal(100, scheduler.Clock);
    }

    [Fact]
    public void CreateObserver_RecordsNotificationsWithTheClock()
    {
        var scheduler = new TestScheduler();
        var observer = scheduler.CreateObserver<int>();
        var ex = new InvalidOperationException();

        scheduler.AdvanceTo(10);
        observer.OnNext(1);
        scheduler.AdvanceTo(20);
        observer.OnError(ex);
        observer.OnCompleted();

        observer.Messages.AssertEqual(OnNext(10, 1), OnError<int>(20, ex), OnCompleted<int>(20));
    }

    [Fact]
    public void CreateHotObservable_ArgumentChecks()
    {
        var scheduler = new TestScheduler();

        Assert.Throws<ArgumentNullException>("messages", () => scheduler.CreateHotObservable<int>(null!));
        Assert.Throws<ArgumentException>("messages", () => scheduler.CreateHotObservable(OnNext(10, 1), default));
        Assert.Throws<ArgumentException>("messages", () => scheduler.CreateHotObservable(OnNext<int>(10, x => x > 0)));
        Assert.Throws<ArgumentException>("messages", () => scheduler.CreateHotObservable(OnError<int>(10, _ => true)));
        Assert.Throws<ArgumentNullException>("observer", () => scheduler.CreateHotObservable<int>().Subscribe(null!));
    }

    [Fact]
    public void CreateColdObservable_ArgumentChecks()
    {
        var scheduler = new TestScheduler();

        Assert.Throws<ArgumentNullException>("messages", () => scheduler.CreateColdObservable<int>(null!));
        Assert.Throws<ArgumentException>("messages", () => scheduler.CreateColdObservable<int>(default(Recorded<Notification<int>>)));
        Assert.Throws<ArgumentException>("messages", () => scheduler.CreateColdObservable(OnNext<int>(10, x => x > 0)));
        Assert.Throws<ArgumentNullException>("observer", () => scheduler.CreateColdObservable<int>().Subscribe(null!));
    }

    [Fact]
    public void CreateHotObservable_LateSubscriberSeesOnlyLaterMessages()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(250, 1), OnNext(350, 2), OnNext(450, 3), OnCompleted<int>(500));
        var early = scheduler.CreateObserver<int>();
        var late = scheduler.CreateObserver<int>();
        IDisposable? earlySubscription = null;

        scheduler.ScheduleAbsolute(0, 200, (_, _) => earlySubscription = xs.Subscribe(early));
        scheduler.ScheduleAbsolute(0, 300, (_, _) => xs.Subscribe(late));
        scheduler.ScheduleAbsolute(0, 400, (_, _) => { earlySubscription!.Dispose(); return Disposable.Empty; });
        scheduler.Start();

        early.Messages.AssertEqual(OnNext(250, 1), OnNext(350, 2));
        late.Messages.AssertEqual(OnNext(350, 2), OnNext(450, 3), OnCompleted<int>(500));
        // The hot observable does not end a subscription on completion: only disposal does.
        xs.Subscriptions.AssertEqual(Subscribe(200, 400), Subscribe(300));
        Assert.Equal(new[] { OnNext(250, 1), OnNext(350, 2), OnNext(450, 3), OnCompleted<int>(500) }, xs.Messages);
    }

    [Fact]
    public void CreateHotObservable_RunsWithoutSubscribers()
    {
        var scheduler = new TestScheduler();
        scheduler.CreateHotObservable(OnNext(250, 1), OnNext(700, 2));

        scheduler.Start();

        Assert.Equal(700, scheduler.Clock);
    }

    [Fact]
    public void CreateHotObservable_MessageAtSubscriptionTick_IsNotSeen()
    {
        // The hot observable schedules its messages before Start schedules the subscription, and
        // work due at the same tick runs in scheduling order.
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(200, 1), OnNext(1000, 2), OnNext(1001, 3));

        var res = scheduler.Start(() => xs);

        res.Messages.AssertEqual(OnNext(1000, 2));
    }

    [Fact]
    public void CreateHotObservable_Property_SubscriberSeesExactlyTheMessagesAfterSubscribingUpToDisposal()
    {
        Gen.Long[1, 1200].Select(Gen.Int).Array[0, 30].Sample(pairs =>
        {
            var messages = pairs.OrderBy(p => p.Item1).Select(p => OnNext(p.Item1, p.Item2)).ToArray();
            var scheduler = new TestScheduler();
            var xs = scheduler.CreateHotObservable(messages);

            var res = scheduler.Start(() => xs);

            res.Messages.AssertEqual(messages.Where(m => m.Time > Subscribed && m.Time <= Disposed));
            xs.Subscriptions.AssertEqual(Subscribe(Subscribed, Disposed));
        });
    }

    [Fact]
    public void CreateColdObservable_MessagesAreRelativeToEachSubscription()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(10, 'a'), OnNext(20, 'b'), OnCompleted<char>(30));
        var first = scheduler.CreateObserver<char>();
        var second = scheduler.CreateObserver<char>();

        scheduler.ScheduleAbsolute(0, 200, (_, _) => xs.Subscribe(first));
        scheduler.ScheduleAbsolute(0, 215, (_, _) => xs.Subscribe(second));
        scheduler.Start();

        first.Messages.AssertEqual(OnNext(210, 'a'), OnNext(220, 'b'), OnCompleted<char>(230));
        second.Messages.AssertEqual(OnNext(225, 'a'), OnNext(235, 'b'), OnCompleted<char>(245));
        xs.Subscriptions.AssertEqual(Subscribe(200), Subscribe(215));
    }

    [Fact]
    public void CreateColdObservable_MessageAtRelativeZero_ArrivesOneTickAfterSubscribing()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(0, 1), OnCompleted<int>(0));

        var res = scheduler.Start(() => xs);

        res.Messages.AssertEqual(OnNext(201, 1), OnCompleted<int>(201));
        xs.Subscriptions.AssertEqual(Subscribe(200, 1000));
    }

    [Fact]
    public void CreateColdObservable_DisposalCancelsPendingMessages()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(100, 1), OnNext(900, 2));

        var res = scheduler.Start(() => xs, 500);

        res.Messages.AssertEqual(OnNext(300, 1));
        xs.Subscriptions.AssertEqual(Subscribe(200, 500));
        Assert.Equal(500, scheduler.Clock);
    }

    [Fact]
    public void CreateColdObservable_Property_MessagesAreShiftedBySubscriptionTick()
    {
        Gen.Long[1, 700].Select(Gen.Int).Array[0, 30].Sample(pairs =>
        {
            var messages = pairs.OrderBy(p => p.Item1).Select(p => OnNext(p.Item1, p.Item2)).ToArray();
            var scheduler = new TestScheduler();
            var xs = scheduler.CreateColdObservable(messages);

            var res = scheduler.Start(() => xs);

            res.Messages.AssertEqual(messages.Select(m => new Recorded<Notification<int>>(m.Time + Subscribed, m.Value)));
        });
    }
}
