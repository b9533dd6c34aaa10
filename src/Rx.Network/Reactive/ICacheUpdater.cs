using System.Diagnostics.CodeAnalysis;

namespace Rx.Network.Reactive;

/// <summary>
/// The view of an <see cref="ObservableCache{TKey, TValue}"/> handed to an
/// <see cref="ObservableCache{TKey, TValue}.Edit"/> action: every change made through it joins the
/// one change set that edit publishes.
/// </summary>
/// <remarks>
/// An updater is valid only on the editing thread and only until the edit action returns; reads
/// through it see the edit's own changes so far. Using it afterwards throws
/// <see cref="InvalidOperationException"/>.
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface ICacheUpdater<TKey, TValue>
    where TKey : notnull
{
    /// <summary>How many items the cache holds, counting this edit's changes so far.</summary>
    /// <exception cref="InvalidOperationException">The edit is over, or this is not the editing thread.</exception>
    int Count { get; }

    /// <summary>Looks a key up, counting this edit's changes so far.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value stored under <paramref name="key"/>, if any.</param>
    /// <returns>Whether the key is present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The edit is over, or this is not the editing thread.</exception>
    bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value);

    /// <summary>
    /// Stores <paramref name="value"/> under the key the cache's key selector gives it: an
    /// <see cref="ChangeReason.Add"/> if the key was absent, else an <see cref="ChangeReason.Update"/>
    /// (even when the value is the same instance).
    /// </summary>
    /// <param name="value">The value; not <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The key selector returned <see langword="null"/> for <paramref name="value"/>.</exception>
    /// <exception cref="InvalidOperationException">The edit is over, or this is not the editing thread.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed during the edit.</exception>
    void AddOrUpdate(TValue value);

    /// <summary>Stores each value in turn, as <see cref="AddOrUpdate(TValue)"/> does.</summary>
    /// <param name="values">The values.</param>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its items is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The key selector returned <see langword="null"/> for a value.</exception>
    /// <exception cref="InvalidOperationException">The edit is over, or this is not the editing thread.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed during the edit.</exception>
    void AddOrUpdate(IEnumerable<TValue> values);

    /// <summary>Removes a key: a <see cref="ChangeReason.Remove"/> if it was present, no change otherwise.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key was present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The edit is over, or this is not the editing thread.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed during the edit.</exception>
    bool Remove(TKey key);

    /// <summary>Removes every item: one <see cref="ChangeReason.Remove"/> per item, none if the cache is empty.</summary>
    /// <exception cref="InvalidOperationException">The edit is over, or this is not the editing thread.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed during the edit.</exception>
    void Clear();
}
