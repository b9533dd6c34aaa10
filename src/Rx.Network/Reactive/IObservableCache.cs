using System.Diagnostics.CodeAnalysis;

namespace Rx.Network.Reactive;

/// <summary>
/// The read side of a keyed cache that publishes its changes: what a component exposes when
/// others may watch its collection (peers, connections, peer store entries) but not edit it.
/// </summary>
/// <remarks>
/// <para>
/// <b>Snapshot, then changes.</b> <see cref="Connect"/> and <see cref="Watch"/> are cold in their
/// start and hot afterwards: each subscriber first receives the contents at the moment it
/// subscribes, then every later change, with no change missed and none received twice, however
/// many threads edit the cache meanwhile.
/// </para>
/// <para>
/// <b>Ordering.</b> Each subscriber receives change sets one at a time (never concurrently), in
/// the order the edits were made. Delivery normally happens on the editing thread before the edit
/// returns; when another thread is already delivering to the same subscriber, or the edit was made
/// from inside that subscriber's own callback, the change set is queued and delivered right after,
/// still in order.
/// </para>
/// <para><b>Thread safety.</b> Every member may be called from any thread.</para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IObservableCache<TKey, TValue>
    where TKey : notnull
{
    /// <summary>How many items the cache holds now.</summary>
    int Count { get; }

    /// <summary>A snapshot of the values (a copy; later edits do not change it). Costs O(n).</summary>
    IReadOnlyCollection<TValue> Items { get; }

    /// <summary>A snapshot of the keys (a copy; later edits do not change it). Costs O(n).</summary>
    IReadOnlyCollection<TKey> Keys { get; }

    /// <summary>Looks a key up.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value stored under <paramref name="key"/>, if any.</param>
    /// <returns>Whether the key is present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value);

    /// <summary>Whether a key is present.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key is present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    bool ContainsKey(TKey key);

    /// <summary>
    /// Observes the cache as change sets: on subscription, the current contents as one change set of
    /// <see cref="ChangeReason.Add"/>s (nothing when there are none), then one change set per edit
    /// that changed something. Completes when the cache is disposed.
    /// </summary>
    /// <remarks>
    /// With a <paramref name="predicate"/>, the subscriber sees only items that pass it: an update
    /// that makes an item pass becomes an <see cref="ChangeReason.Add"/>, one that makes it fail a
    /// <see cref="ChangeReason.Remove"/>, and change sets left empty are not sent. A predicate that
    /// throws ends that subscription with <see cref="IObserver{T}.OnError"/>.
    /// </remarks>
    /// <param name="predicate">Which items to see; <see langword="null"/> for all of them.</param>
    /// <returns>An observable of non-empty change sets.</returns>
    IObservable<IChangeSet<TKey, TValue>> Connect(Func<TValue, bool>? predicate = null);

    /// <summary>
    /// Observes one key: on subscription, an <see cref="ChangeReason.Add"/> with the current value
    /// if the key is present, then every later change to that key (a key removed and added again is
    /// seen as a <see cref="ChangeReason.Remove"/> then an <see cref="ChangeReason.Add"/>). Keys are
    /// matched with the cache's key comparer. Completes when the cache is disposed.
    /// </summary>
    /// <param name="key">The key to watch; it need not be present yet.</param>
    /// <returns>An observable of the key's changes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    IObservable<Change<TKey, TValue>> Watch(TKey key);
}
