using System.Diagnostics;
using System.Globalization;

namespace Rx.Network.Mock.Testing;

/// <summary>A value stamped with the virtual tick at which it was recorded or is due.</summary>
/// <typeparam name="T">The type of the value, usually <see cref="System.Reactive.Notification{T}"/>.</typeparam>
/// <remarks>
/// Two recorded values are equal when their ticks are equal and their values are equal. A value
/// made by the predicate overloads of <see cref="ReactiveTest.OnNext{T}(long, Func{T, bool})"/> and
/// <see cref="ReactiveTest.OnError{T}(long, Func{Exception, bool})"/> is compared by running its
/// predicate on the other value, whichever side of the comparison it stands on.
/// </remarks>
[DebuggerDisplay("{Value}@{Time}")]
public readonly struct Recorded<T> : IEquatable<Recorded<T>>
{
    /// <summary>Creates a recorded value.</summary>
    /// <param name="time">The virtual tick.</param>
    /// <param name="value">The value.</param>
    public Recorded(long time, T value)
    {
        Time = time;
        Value = value;
    }

    /// <summary>Gets the virtual tick at which the value was recorded or is due.</summary>
    public long Time { get; }

    /// <summary>Gets the recorded value.</summary>
    public T Value { get; }

    /// <summary>Tells whether two recorded values have the same tick and equal values.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(Recorded<T> left, Recorded<T> right) => left.Equals(right);

    /// <summary>Tells whether two recorded values differ in tick or value.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(Recorded<T> left, Recorded<T> right) => !left.Equals(right);

    /// <summary>Tells whether this value has the same tick as <paramref name="other"/> and an equal value.</summary>
    /// <param name="other">The value to compare with.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public bool Equals(Recorded<T> other)
    {
        if (Time != other.Time)
        {
            return false;
        }

        // A predicate notification matches by its predicate; checking both sides keeps equality
        // symmetric, so assertions work whichever argument holds the expectation.
        if (Value is INotificationPattern pattern)
        {
            return pattern.Matches(other.Value);
        }

        if (other.Value is INotificationPattern otherPattern)
        {
            return otherPattern.Matches(Value);
        }

        return EqualityComparer<T>.Default.Equals(Value, other.Value);
    }

    /// <summary>Tells whether <paramref name="obj"/> is a recorded value equal to this one.</summary>
    /// <param name="obj">The object to compare with.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public override bool Equals(object? obj) => obj is Recorded<T> other && Equals(other);

    /// <summary>Gets a hash code from the tick alone.</summary>
    /// <returns>The hash code.</returns>
    /// <remarks>
    /// The value is left out because a predicate notification equals every value its predicate
    /// accepts, so no hash of the value could stay consistent with <see cref="Equals(Recorded{T})"/>.
    /// </remarks>
    public override int GetHashCode() => Time.GetHashCode();

    /// <summary>Formats the value as <c>value@tick</c>, for example <c>OnNext(42)@210</c>.</summary>
    /// <returns>The formatted value.</returns>
    public override string ToString() => $"{Value}@{Time.ToString(CultureInfo.InvariantCulture)}";
}
