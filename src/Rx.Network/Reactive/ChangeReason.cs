namespace Rx.Network.Reactive;

/// <summary>Why a key appears in a change set.</summary>
public enum ChangeReason
{
    /// <summary>
    /// The key was absent and now has a value: <see cref="Change{TKey, TValue}.Current"/> is that
    /// value and <see cref="Change{TKey, TValue}.Previous"/> is <see langword="default"/>.
    /// </summary>
    Add,

    /// <summary>
    /// The key had a value and now has another (possibly the same instance again):
    /// <see cref="Change{TKey, TValue}.Current"/> is the new value and
    /// <see cref="Change{TKey, TValue}.Previous"/> the one it replaced.
    /// </summary>
    Update,

    /// <summary>
    /// The key had a value and is now absent: both <see cref="Change{TKey, TValue}.Current"/> and
    /// <see cref="Change{TKey, TValue}.Previous"/> are the value that was removed.
    /// </summary>
    Remove,
}
