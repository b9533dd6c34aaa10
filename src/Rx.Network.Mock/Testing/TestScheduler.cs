using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive;

namespace Rx.Network.Mock.Testing;

/// <summary>
/// A virtual-time scheduler whose clock counts <see cref="long"/> ticks, for testing reactive code
/// in exact, repeatable time; it behaves like <c>Microsoft.Reactive.Testing.TestScheduler</c>.
/// </summary>
/// <remarks>
/// <para>
/// One virtual tick is one <see cref="TimeSpan"/> tick (100 ns), so an operator given
/// <c>TimeSpan.FromTicks(20)</c> waits 20 virtual ticks, and <see cref="IScheduler.Now"/> is
/// <c>new DateTimeOffset(Clock, TimeSpan.Zero)</c>.
/// </para>
/// <para>
/// Work scheduled at or before the current <see cref="VirtualTimeSchedulerBase{TAbsolute, TRelative}.Clock"/>
/// still runs, one tick later, at <c>Clock + 1</c>. Rx.NET's own test scheduler has the same rule,
/// so tests ported from Rx.NET record the same ticks (for example
/// <c>Observable.Return(42, scheduler)</c> subscribed at 200 produces its value at 201).
/// </para>
/// <para>The scheduler is not thread-safe: drive it from one thread, as virtual-time tests do.</para>
/// </remarks>
public class TestScheduler : VirtualTimeScheduler<long, long>
{
    /// <summary>Creates a test scheduler whose clock starts at tick 0.</summary>
    public TestScheduler()
    {
    }

    /// <summary>
    /// Schedules <paramref name="action"/> at the absolute virtual time <paramref name="dueTime"/>;
    /// a due time at or before the current clock is moved to <c>Clock + 1</c>.
    /// </summary>
    /// <typeparam name="TState">The type of the state passed to the action.</typeparam>
    /// <param name="state">The state passed to the action.</param>
    /// <param name="dueTime">The absolute tick at which to run the action.</param>
    /// <param name="action">The action to run.</param>
    /// <returns>A disposable that cancels the action if it has not run yet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    public override IDisposable ScheduleAbsolute<TState>(TState state, long dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        ArgumentNullException.ThrowIfNull(action);

        // Rx.NET's TestScheduler never runs work "now": it always advances the clock by at least
        // one tick. Replicating that keeps expected ticks of ported tests unchanged.
        if (dueTime <= Clock)
        {
            dueTime = Clock == long.MaxValue ? long.MaxValue : Clock + 1;
        }

        return base.ScheduleAbsolute(state, dueTime, action);
    }

    /// <summary>
    /// Gets the due tick of the earliest pending (not canceled) work item, without running it.
    /// Safe to call while other threads schedule work.
    /// </summary>
    /// <param name="dueTime">The earliest due tick, when there is pending work.</param>
    /// <returns>Whether any work is pending.</returns>
    public bool TryPeekNextDueTime(out long dueTime)
    {
        var next = GetNext();
        dueTime = next?.DueTime ?? 0;
        return next is not null;
    }

    /// <summary>
    /// Runs exactly one work item: the earliest one, if it is due at or before
    /// <paramref name="limit"/>, moving the clock forward to its due tick first. Lets a driver
    /// interleave single steps of virtual time with other work (the mock network waits for the
    /// thread pool to go idle between steps).
    /// </summary>
    /// <param name="limit">The latest due tick that may run.</param>
    /// <returns>Whether an item ran.</returns>
    /// <exception cref="InvalidOperationException">The scheduler is already running (inside <see cref="VirtualTimeSchedulerBase{TAbsolute, TRelative}.Start()"/> or an advance).</exception>
    public bool RunNext(long limit)
    {
        if (IsEnabled)
        {
            throw new InvalidOperationException("The scheduler is already running work; RunNext cannot be nested in it.");
        }

        var next = GetNext();
        if (next is null || next.DueTime > limit)
        {
            return false;
        }

        if (next.DueTime > Clock)
        {
            Clock = next.DueTime;
        }

        next.Invoke();
        return true;
    }

    /// <summary>
    /// Creates the observable at <paramref name="created"/>, subscribes a recording observer to it at
    /// <paramref name="subscribed"/>, disposes that subscription at <paramref name="disposed"/>, and
    /// runs the scheduler until no work is left.
    /// </summary>
    /// <typeparam name="T">The element type of the observable under test.</typeparam>
    /// <param name="create">Creates the observable under test; called at tick <paramref name="created"/>.</param>
    /// <param name="created">The tick at which <paramref name="create"/> is called.</param>
    /// <param name="subscribed">The tick at which the observer subscribes.</param>
    /// <param name="disposed">The tick at which the subscription is disposed.</param>
    /// <returns>The observer, with every notification it received and its tick.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The ticks are not in order: <paramref name="created"/> &lt;= <paramref name="subscribed"/> &lt;= <paramref name="disposed"/> must hold.
    /// </exception>
    /// <exception cref="InvalidOperationException"><paramref name="create"/> returned null.</exception>
    public ITestableObserver<T> Start<T>(Func<IObservable<T>> create, long created, long subscribed, long disposed)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentOutOfRangeException.ThrowIfLessThan(subscribed, created);
        ArgumentOutOfRangeException.ThrowIfLessThan(disposed, subscribed);

        IObservable<T>? source = null;
        IDisposable? subscription = null;
        var observer = CreateObserver<T>();

        ScheduleAbsolute(0, created, (_, _) =>
        {
            source = create() ?? throw new InvalidOperationException("The factory passed to Start returned null instead of an observable.");
            return Disposable.Empty;
        });
        ScheduleAbsolute(0, subscribed, (_, _) =>
        {
            subscription = source!.Subscribe(observer);
            return Disposable.Empty;
        });
        ScheduleAbsolute(0, disposed, (_, _) =>
        {
            subscription!.Dispose();
            return Disposable.Empty;
        });

        Start();
        return observer;
    }

    /// <summary>
    /// Like <see cref="Start{T}(Func{IObservable{T}}, long, long, long)"/> with the observable
    /// created at <see cref="ReactiveTest.Created"/> (100) and subscribed at
    /// <see cref="ReactiveTest.Subscribed"/> (200).
    /// </summary>
    /// <typeparam name="T">The element type of the observable under test.</typeparam>
    /// <param name="create">Creates the observable under test.</param>
    /// <param name="disposed">The tick at which the subscription is disposed.</param>
    /// <returns>The observer, with every notification it received and its tick.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="disposed"/> is before <see cref="ReactiveTest.Subscribed"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="create"/> returned null.</exception>
    public ITestableObserver<T> Start<T>(Func<IObservable<T>> create, long disposed) =>
        Start(create, ReactiveTest.Created, ReactiveTest.Subscribed, disposed);

    /// <summary>
    /// Like <see cref="Start{T}(Func{IObservable{T}}, long, long, long)"/> with the default ticks:
    /// created at <see cref="ReactiveTest.Created"/> (100), subscribed at
    /// <see cref="ReactiveTest.Subscribed"/> (200), disposed at <see cref="ReactiveTest.Disposed"/> (1000).
    /// </summary>
    /// <typeparam name="T">The element type of the observable under test.</typeparam>
    /// <param name="create">Creates the observable under test.</param>
    /// <returns>The observer, with every notification it received and its tick.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="create"/> returned null.</exception>
    public ITestableObserver<T> Start<T>(Func<IObservable<T>> create) =>
        Start(create, ReactiveTest.Created, ReactiveTest.Subscribed, ReactiveTest.Disposed);

    /// <summary>
    /// Creates a hot observable that emits <paramref name="messages"/> at their absolute ticks,
    /// whether or not anyone is subscribed; a subscriber sees only the messages due after it
    /// subscribed. Subscriptions are logged in <see cref="ITestableObservable{T}.Subscriptions"/>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="messages">The notifications and the absolute ticks at which they are emitted.</param>
    /// <returns>The hot observable.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A message has no notification, or is a predicate notification (those can only be expected).
    /// </exception>
    public ITestableObservable<T> CreateHotObservable<T>(params Recorded<Notification<T>>[] messages) =>
        new HotObservable<T>(this, messages);

    /// <summary>
    /// Creates a cold observable that, for each subscriber, emits <paramref name="messages"/> at
    /// their ticks counted from the moment of subscription. Subscriptions are logged in
    /// <see cref="ITestableObservable{T}.Subscriptions"/>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="messages">The notifications and their ticks relative to subscription.</param>
    /// <returns>The cold observable.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A message has no notification, or is a predicate notification (those can only be expected).
    /// </exception>
    public ITestableObservable<T> CreateColdObservable<T>(params Recorded<Notification<T>>[] messages) =>
        new ColdObservable<T>(this, messages);

    /// <summary>Creates an observer that records every notification with the tick it arrived at.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <returns>The recording observer.</returns>
    public ITestableObserver<T> CreateObserver<T>() => new MockObserver<T>(this);

    /// <summary>Adds a relative tick count to an absolute tick.</summary>
    /// <param name="absolute">The absolute tick.</param>
    /// <param name="relative">The number of ticks to add.</param>
    /// <returns>The sum.</returns>
    protected override long Add(long absolute, long relative) => absolute + relative;

    /// <summary>Converts an absolute tick to a time: tick <c>n</c> is <c>new DateTimeOffset(n, TimeSpan.Zero)</c>.</summary>
    /// <param name="absolute">The absolute tick.</param>
    /// <returns>The corresponding UTC time.</returns>
    protected override DateTimeOffset ToDateTimeOffset(long absolute) => new(absolute, TimeSpan.Zero);

    /// <summary>Converts a time span to ticks: one virtual tick is one <see cref="TimeSpan"/> tick.</summary>
    /// <param name="timeSpan">The time span.</param>
    /// <returns><see cref="TimeSpan.Ticks"/> of <paramref name="timeSpan"/>.</returns>
    protected override long ToRelative(TimeSpan timeSpan) => timeSpan.Ticks;
}
