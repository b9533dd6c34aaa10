using System.Reactive;

namespace Rx.Network.Mock.Testing;

/// <summary>
/// Base class (or <c>using static</c> target) for virtual-time tests: the default ticks of
/// <see cref="TestScheduler.Start{T}(Func{IObservable{T}})"/> and factories for expected
/// notifications and subscriptions, as in <c>Microsoft.Reactive.Testing.ReactiveTest</c>.
/// </summary>
/// <example>
/// <code>
/// var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnCompleted&lt;int&gt;(250));
/// var res = scheduler.Start(() => xs.Select(x => x * 2));
/// res.Messages.AssertEqual(OnNext(210, 2), OnCompleted&lt;int&gt;(250));
/// xs.Subscriptions.AssertEqual(Subscribe(200, 250));
/// </code>
/// </example>
public abstract class ReactiveTest
{
    /// <summary>The default tick at which <see cref="TestScheduler.Start{T}(Func{IObservable{T}})"/> creates the observable.</summary>
    public const long Created = 100;

    /// <summary>The default tick at which <see cref="TestScheduler.Start{T}(Func{IObservable{T}})"/> subscribes.</summary>
    public const long Subscribed = 200;

    /// <summary>The default tick at which <see cref="TestScheduler.Start{T}(Func{IObservable{T}})"/> disposes the subscription.</summary>
    public const long Disposed = 1000;

    /// <summary>Creates an OnNext notification at a tick.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="ticks">The tick.</param>
    /// <param name="value">The value.</param>
    /// <returns>The recorded notification.</returns>
    public static Recorded<Notification<T>> OnNext<T>(long ticks, T value) =>
        new(ticks, Notification.CreateOnNext(value));

    /// <summary>
    /// Creates an expected OnNext notification that equals any OnNext at the same tick whose value
    /// satisfies <paramref name="predicate"/>. It can be asserted against but not emitted by a
    /// test observable.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="ticks">The tick.</param>
    /// <param name="predicate">Tells whether an actual value is the one expected.</param>
    /// <returns>The expected notification.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public static Recorded<Notification<T>> OnNext<T>(long ticks, Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new(ticks, new OnNextPattern<T>(predicate));
    }

    /// <summary>Creates an OnCompleted notification at a tick.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="ticks">The tick.</param>
    /// <returns>The recorded notification.</returns>
    public static Recorded<Notification<T>> OnCompleted<T>(long ticks) =>
        new(ticks, Notification.CreateOnCompleted<T>());

    /// <summary>Creates an OnCompleted notification at a tick, taking the element type from a witness (useful for anonymous types).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="ticks">The tick.</param>
    /// <param name="witness">Any value of the element type; it is not used.</param>
    /// <returns>The recorded notification.</returns>
    public static Recorded<Notification<T>> OnCompleted<T>(long ticks, T witness) => OnCompleted<T>(ticks);

    /// <summary>Creates an OnError notification at a tick.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="ticks">The tick.</param>
    /// <param name="exception">The error; an actual OnError equals it only if it carries the same instance.</param>
    /// <returns>The recorded notification.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public static Recorded<Notification<T>> OnError<T>(long ticks, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(ticks, Notification.CreateOnError<T>(exception));
    }

    /// <summary>
    /// Creates an expected OnError notification that equals any OnError at the same tick whose
    /// exception satisfies <paramref name="predicate"/>. It can be asserted against but not
    /// emitted by a test observable.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="ticks">The tick.</param>
    /// <param name="predicate">Tells whether an actual exception is the one expected.</param>
    /// <returns>The expected notification.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public static Recorded<Notification<T>> OnError<T>(long ticks, Func<Exception, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return new(ticks, new OnErrorPattern<T>(predicate));
    }

    /// <summary>Creates an OnError notification at a tick, taking the element type from a witness.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="ticks">The tick.</param>
    /// <param name="exception">The error.</param>
    /// <param name="witness">Any value of the element type; it is not used.</param>
    /// <returns>The recorded notification.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public static Recorded<Notification<T>> OnError<T>(long ticks, Exception exception, T witness) => OnError<T>(ticks, exception);

    /// <summary>Creates an expected OnError notification matched by a predicate, taking the element type from a witness.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="ticks">The tick.</param>
    /// <param name="predicate">Tells whether an actual exception is the one expected.</param>
    /// <param name="witness">Any value of the element type; it is not used.</param>
    /// <returns>The expected notification.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public static Recorded<Notification<T>> OnError<T>(long ticks, Func<Exception, bool> predicate, T witness) => OnError<T>(ticks, predicate);

    /// <summary>Creates an expected subscription that was disposed.</summary>
    /// <param name="start">The tick at which the observer subscribed.</param>
    /// <param name="end">The tick at which the subscription was disposed.</param>
    /// <returns>The subscription.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="end"/> is before <paramref name="start"/>.</exception>
    public static Subscription Subscribe(long start, long end) => new(start, end);

    /// <summary>Creates an expected subscription that was never disposed.</summary>
    /// <param name="start">The tick at which the observer subscribed.</param>
    /// <returns>The subscription, ending at <see cref="Subscription.Infinite"/>.</returns>
    public static Subscription Subscribe(long start) => new(start);
}
