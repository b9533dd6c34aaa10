using System.Diagnostics;
using System.Globalization;

namespace Rx.Network.Mock.Testing;

/// <summary>
/// The virtual ticks at which an observer subscribed to a test observable and unsubscribed from it,
/// as logged in <see cref="ITestableObservable{T}.Subscriptions"/>.
/// </summary>
[DebuggerDisplay("({Subscribe}, {Unsubscribe})")]
public readonly struct Subscription : IEquatable<Subscription>
{
    /// <summary>The <see cref="Unsubscribe"/> tick of a subscription that was never disposed.</summary>
    public const long Infinite = long.MaxValue;

    /// <summary>Creates a subscription that has not been disposed.</summary>
    /// <param name="subscribe">The tick at which the observer subscribed.</param>
    public Subscription(long subscribe)
        : this(subscribe, Infinite)
    {
    }

    /// <summary>Creates a subscription that was disposed.</summary>
    /// <param name="subscribe">The tick at which the observer subscribed.</param>
    /// <param name="unsubscribe">The tick at which the subscription was disposed, or <see cref="Infinite"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unsubscribe"/> is before <paramref name="subscribe"/>.</exception>
    public Subscription(long subscribe, long unsubscribe)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(unsubscribe, subscribe);
        Subscribe = subscribe;
        Unsubscribe = unsubscribe;
    }

    /// <summary>Gets the tick at which the observer subscribed.</summary>
    public long Subscribe { get; }

    /// <summary>Gets the tick at which the subscription was disposed, or <see cref="Infinite"/> if it was not.</summary>
    public long Unsubscribe { get; }

    /// <summary>Tells whether two subscriptions have the same ticks.</summary>
    /// <param name="left">The first subscription.</param>
    /// <param name="right">The second subscription.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(Subscription left, Subscription right) => left.Equals(right);

    /// <summary>Tells whether two subscriptions differ in either tick.</summary>
    /// <param name="left">The first subscription.</param>
    /// <param name="right">The second subscription.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(Subscription left, Subscription right) => !left.Equals(right);

    /// <summary>Tells whether this subscription has the same ticks as <paramref name="other"/>.</summary>
    /// <param name="other">The subscription to compare with.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public bool Equals(Subscription other) => Subscribe == other.Subscribe && Unsubscribe == other.Unsubscribe;

    /// <summary>Tells whether <paramref name="obj"/> is a subscription with the same ticks.</summary>
    /// <param name="obj">The object to compare with.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public override bool Equals(object? obj) => obj is Subscription other && Equals(other);

    /// <summary>Gets a hash code from both ticks.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(Subscribe, Unsubscribe);

    /// <summary>Formats the subscription as <c>(subscribe, unsubscribe)</c>, or <c>(subscribe, Infinite)</c>.</summary>
    /// <returns>The formatted subscription.</returns>
    public override string ToString() =>
        Unsubscribe == Infinite
            ? string.Create(CultureInfo.InvariantCulture, $"({Subscribe}, Infinite)")
            : string.Create(CultureInfo.InvariantCulture, $"({Subscribe}, {Unsubscribe})");
}
