using System.Reactive.Linq;

namespace Rx.Network.Reactive;

/// <summary>
/// A few operators over observables of change sets, for use beside Rx LINQ. Each subscription
/// keeps its own state; a user function that throws ends that subscription with
/// <see cref="IObserver{T}.OnError"/>, as Rx's own operators do. Change sets left empty by an
/// operator are not sent.
/// </summary>
public static class ChangeSetExtensions
{
    /// <summary>
    /// Keeps the items that pass <paramref name="predicate"/>: an update that makes an item pass
    /// becomes an <see cref="ChangeReason.Add"/>, one that makes it fail a
    /// <see cref="ChangeReason.Remove"/>. The predicate runs on each added or updated value.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="source">The change sets to filter.</param>
    /// <param name="predicate">Which values to keep.</param>
    /// <returns>The filtered change sets.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="predicate"/> is <see langword="null"/>.</exception>
    public static IObservable<IChangeSet<TKey, TValue>> Filter<TKey, TValue>(
        this IObservable<IChangeSet<TKey, TValue>> source, Func<TValue, bool> predicate)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(predicate);
        return Observable.Defer(() =>
        {
            var filter = new FilterOperator<TKey, TValue>(predicate);
            return source.Select(filter.Process).Where(static changes => changes.Count > 0);
        });
    }

    /// <summary>
    /// Maps each value to <paramref name="selector"/>'s result, keeping the keys. The selector runs
    /// once per added or updated value; <see cref="Change{TKey, TValue}.Previous"/> is the result
    /// produced earlier for that key, not a new projection of the old value.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The source value type.</typeparam>
    /// <typeparam name="TResult">The result value type.</typeparam>
    /// <param name="source">The change sets to transform.</param>
    /// <param name="selector">Maps a value.</param>
    /// <returns>The transformed change sets.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    public static IObservable<IChangeSet<TKey, TResult>> Transform<TKey, TValue, TResult>(
        this IObservable<IChangeSet<TKey, TValue>> source, Func<TValue, TResult> selector)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Observable.Defer(() =>
        {
            var transform = new TransformOperator<TKey, TValue, TResult>(selector);
            return source.Select(transform.Process).Where(static changes => changes.Count > 0);
        });
    }

    /// <summary>
    /// After each change set, sends the whole collection it leads to, as a new read-only snapshot.
    /// </summary>
    /// <remarks>
    /// Nothing is sent before the first change set, and a cache connected while empty sends no
    /// first change set: prepend an empty collection with <c>StartWith</c> when a value is needed at once.
    /// </remarks>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="source">The change sets to replay.</param>
    /// <returns>One snapshot of the values per change set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<IReadOnlyCollection<TValue>> ToCollection<TKey, TValue>(
        this IObservable<IChangeSet<TKey, TValue>> source)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        return Observable.Defer(() => source.Select(new CollectionOperator<TKey, TValue>().Process));
    }

    /// <summary>
    /// Calls <paramref name="action"/> with the value of each <see cref="ChangeReason.Add"/>, in
    /// order, before passing the change set on unchanged.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="source">The change sets.</param>
    /// <param name="action">Called once per added value.</param>
    /// <returns>The same change sets.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="action"/> is <see langword="null"/>.</exception>
    public static IObservable<IChangeSet<TKey, TValue>> OnItemAdded<TKey, TValue>(
        this IObservable<IChangeSet<TKey, TValue>> source, Action<TValue> action)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(action);
        return source.Do(changes => ForEach(changes, ChangeReason.Add, action));
    }

    /// <summary>
    /// Calls <paramref name="action"/> with the value of each <see cref="ChangeReason.Remove"/>, in
    /// order, before passing the change set on unchanged. Unsubscribing does not count as removing.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="source">The change sets.</param>
    /// <param name="action">Called once per removed value.</param>
    /// <returns>The same change sets.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="action"/> is <see langword="null"/>.</exception>
    public static IObservable<IChangeSet<TKey, TValue>> OnItemRemoved<TKey, TValue>(
        this IObservable<IChangeSet<TKey, TValue>> source, Action<TValue> action)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(action);
        return source.Do(changes => ForEach(changes, ChangeReason.Remove, action));
    }

    private static void ForEach<TKey, TValue>(IChangeSet<TKey, TValue> changes, ChangeReason reason, Action<TValue> action)
        where TKey : notnull
    {
        foreach (var change in changes)
        {
            if (change.Reason == reason)
            {
                action(change.Current);
            }
        }
    }
}
