using System.Reactive;

namespace Rx.Network.Mock.Testing;

/// <summary>
/// An observable that emits scripted notifications in virtual time and logs every subscription
/// made to it.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public interface ITestableObservable<T> : IObservable<T>
{
    /// <summary>
    /// Gets one entry per subscription ever made, in subscription order; an entry still active has
    /// <see cref="Subscription.Unsubscribe"/> equal to <see cref="Subscription.Infinite"/>.
    /// </summary>
    IList<Subscription> Subscriptions { get; }

    /// <summary>
    /// Gets the scripted notifications: absolute ticks for a hot observable, ticks relative to each
    /// subscription for a cold one.
    /// </summary>
    IList<Recorded<Notification<T>>> Messages { get; }
}
