using System.Reactive;

namespace Rx.Network.Mock.Testing;

/// <summary>
/// A notification that is only an expectation: it matches real notifications instead of carrying
/// a value. <see cref="Recorded{T}"/> equality looks for this interface on either side.
/// </summary>
internal interface INotificationPattern
{
    bool Matches(object? notification);
}

/// <summary>
/// Base of the predicate notifications made by <see cref="ReactiveTest"/>. They can be compared
/// against but never delivered, so the members that would deliver or read a value throw.
/// </summary>
internal abstract class NotificationPattern<T> : Notification<T>, INotificationPattern
{
    public override T Value => throw NotAValue();

    public override Exception? Exception => throw NotAValue();

    public bool Matches(object? notification) => notification is Notification<T> other && Equals(other);

    public override bool Equals(object? obj) => obj is Notification<T> other && Equals(other);

    // Patterns match many notifications, so only a constant hash is consistent with Equals.
    public override int GetHashCode() => (int)Kind;

    public override void Accept(IObserver<T> observer) => throw NotDeliverable();

    public override TResult Accept<TResult>(IObserver<T, TResult> observer) => throw NotDeliverable();

    public override void Accept(Action<T> onNext, Action<Exception> onError, Action onCompleted) => throw NotDeliverable();

    public override TResult Accept<TResult>(Func<T, TResult> onNext, Func<Exception, TResult> onError, Func<TResult> onCompleted) =>
        throw NotDeliverable();

    private static NotSupportedException NotAValue() =>
        new("A predicate notification describes the notifications it expects; it has no value or exception of its own.");

    private static NotSupportedException NotDeliverable() =>
        new("A predicate notification can only be expected in an assertion; it cannot be delivered to an observer.");
}

/// <summary>Expects an OnNext notification whose value satisfies a predicate.</summary>
internal sealed class OnNextPattern<T>(Func<T, bool> predicate) : NotificationPattern<T>
{
    public override bool HasValue => true;

    public override NotificationKind Kind => NotificationKind.OnNext;

    public override bool Equals(Notification<T>? other) =>
        ReferenceEquals(this, other)
        || (other is not null and not INotificationPattern && other.Kind == NotificationKind.OnNext && predicate(other.Value));

    public override string ToString() => "OnNext(<matching predicate>)";
}

/// <summary>Expects an OnError notification whose exception satisfies a predicate.</summary>
internal sealed class OnErrorPattern<T>(Func<Exception, bool> predicate) : NotificationPattern<T>
{
    public override bool HasValue => false;

    public override NotificationKind Kind => NotificationKind.OnError;

    public override bool Equals(Notification<T>? other) =>
        ReferenceEquals(this, other)
        || (other is not null and not INotificationPattern && other.Kind == NotificationKind.OnError && predicate(other.Exception!));

    public override string ToString() => "OnError(<matching predicate>)";
}
