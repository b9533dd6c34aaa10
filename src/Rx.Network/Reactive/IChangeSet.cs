namespace Rx.Network.Reactive;

/// <summary>
/// The changes one edit made to a keyed collection, in the order they were made. A change set
/// published by an observable is never empty and never modified afterwards, so it may be kept and
/// shared between threads.
/// </summary>
/// <remarks>
/// Changes are not collapsed: an edit that adds a key and then updates it yields an
/// <see cref="ChangeReason.Add"/> followed by an <see cref="ChangeReason.Update"/>, so replaying the
/// changes in order always reproduces the collection.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IChangeSet<TKey, TValue> : IReadOnlyList<Change<TKey, TValue>>
    where TKey : notnull
{
    /// <summary>How many changes are <see cref="ChangeReason.Add"/>s.</summary>
    int Adds { get; }

    /// <summary>How many changes are <see cref="ChangeReason.Update"/>s.</summary>
    int Updates { get; }

    /// <summary>How many changes are <see cref="ChangeReason.Remove"/>s.</summary>
    int Removes { get; }
}
