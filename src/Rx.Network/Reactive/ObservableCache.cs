using System.Diagnostics.CodeAnalysis;
using Rx.Network.Errors;

namespace Rx.Network.Reactive;

/// <summary>
/// A thread-safe keyed collection that publishes every edit as one change set: the library's own
/// small counterpart of DynamicData's <c>SourceCache</c> (see <c>docs/adr/0002-own-observable-cache.md</c>).
/// </summary>
/// <remarks>
/// <para>
/// <b>Editing.</b> <see cref="Edit"/> applies any number of changes atomically and publishes them
/// as one change set once the edit action returns; an edit that changes nothing publishes nothing,
/// and an edit action that throws is rolled back and publishes nothing. <see cref="AddOrUpdate"/>,
/// <see cref="Remove"/> and <see cref="Clear"/> are one-change edits. Values may not be
/// <see langword="null"/>; each is stored under the key the key selector gives it.
/// </para>
/// <para>
/// <b>Observing.</b> <see cref="Connect"/> and <see cref="Watch"/> send each subscriber the current
/// contents, then every later change, with no gap and no duplicate between the two: the snapshot is
/// taken and the subscriber attached under the lock that edits take. Each subscriber receives change
/// sets serialized and in edit order; observers are never called while the cache's lock is held, so
/// they may read or edit the cache from their callbacks.
/// </para>
/// <para>
/// <b>Faulty subscribers.</b> An observer that throws from <c>OnNext</c> or <c>OnCompleted</c> breaks
/// the Rx contract; the cache then detaches that observer (it receives nothing more, not even
/// <c>OnError</c>), keeps serving the others, and publishes the exception on
/// <see cref="UnhandledSubscriberErrors"/>. The edit that triggered the delivery is unaffected.
/// </para>
/// <para>
/// <b>Disposal.</b> <see cref="Dispose"/> completes every subscriber (after any change sets already
/// queued for it). Afterwards edits throw <see cref="ObjectDisposedException"/>, reads return the final
/// contents, and new subscribers receive the final contents and then <c>OnCompleted</c>.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed partial class ObservableCache<TKey, TValue> : IObservableCache<TKey, TValue>, IDisposable
    where TKey : notnull
{
    // Guards _items, the subscriber arrays and the flags. Observers are never called under it.
    private readonly Lock _gate = new();
    private readonly Func<TValue, TKey> _keySelector;
    private readonly IEqualityComparer<TKey> _comparer;

    // Each entry keeps the key as first stored, so that changes report one canonical key even when
    // the comparer equates different instances (e.g. case-insensitive strings).
    private readonly Dictionary<TKey, Entry> _items;
    private bool _editing;
    private bool _disposed;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="keySelector">Gives the key of a value; must not return <see langword="null"/>.</param>
    /// <param name="comparer">Compares keys; <see langword="null"/> for the default comparer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keySelector"/> is <see langword="null"/>.</exception>
    public ObservableCache(Func<TValue, TKey> keySelector, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        _keySelector = keySelector;
        _comparer = comparer ?? EqualityComparer<TKey>.Default;
        _items = new Dictionary<TKey, Entry>(_comparer);
    }

    /// <inheritdoc/>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<TValue> Items
    {
        get
        {
            lock (_gate)
            {
                return _items.Values.Select(static e => e.Value).ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<TKey> Keys
    {
        get
        {
            lock (_gate)
            {
                return _items.Values.Select(static e => e.Key).ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        ThrowIfNullKey(key);
        lock (_gate)
        {
            bool found = _items.TryGetValue(key, out var entry);
            value = entry.Value;
            return found;
        }
    }

    /// <inheritdoc/>
    public bool ContainsKey(TKey key)
    {
        ThrowIfNullKey(key);
        lock (_gate)
        {
            return _items.ContainsKey(key);
        }
    }

    /// <summary>
    /// Applies the changes <paramref name="update"/> makes through its updater atomically, then
    /// publishes them, in the order made, as one change set (nothing if there were none).
    /// </summary>
    /// <remarks>
    /// Edits from different threads are serialized. If <paramref name="update"/> throws, every change
    /// it made is undone, nothing is published and the exception propagates. The action runs under
    /// the cache's lock: keep it short, and do not block in it on other threads that use the cache.
    /// </remarks>
    /// <param name="update">Makes the changes; the updater is valid only while it runs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from inside another edit's action.</exception>
    public void Edit(Action<ICacheUpdater<TKey, TValue>> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        Mailbox<IChangeSet<TKey, TValue>>[] targets;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_editing)
            {
                throw Error.NestedEdit();
            }

            var updater = new Updater(this);
            _editing = true;
            try
            {
                update(updater);
            }
            catch
            {
                updater.Rollback();
                throw;
            }
            finally
            {
                updater.Close();
                _editing = false;
            }

            if (updater.Changes.Count == 0)
            {
                return;
            }

            var changes = new ChangeSet<TKey, TValue>(updater.Changes);
            targets = _subscribers;
            foreach (var target in targets)
            {
                target.Post(changes);
            }
        }

        foreach (var target in targets)
        {
            target.Drain();
        }
    }

    /// <summary>Stores a value under its key, as a one-change <see cref="Edit"/>.</summary>
    /// <param name="value">The value; not <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The key selector returned <see langword="null"/> for <paramref name="value"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from inside an edit's action.</exception>
    public void AddOrUpdate(TValue value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        Edit(u => u.AddOrUpdate(value));
    }

    /// <summary>Removes a key, as a one-change <see cref="Edit"/> (publishes nothing if it was absent).</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key was present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from inside an edit's action.</exception>
    public bool Remove(TKey key)
    {
        ThrowIfNullKey(key);
        bool removed = false;
        Edit(u => removed = u.Remove(key));
        return removed;
    }

    /// <summary>Removes every item as one <see cref="Edit"/> (publishes nothing if the cache is empty).</summary>
    /// <exception cref="ObjectDisposedException">The cache has been disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from inside an edit's action.</exception>
    public void Clear() => Edit(static u => u.Clear());

    /// <summary>
    /// Completes every subscriber, those of <see cref="UnhandledSubscriberErrors"/> included; later edits throw
    /// <see cref="ObjectDisposedException"/>. Calling it again does nothing.
    /// </summary>
    public void Dispose()
    {
        Mailbox<IChangeSet<TKey, TValue>>[] subscribers;
        Mailbox<Exception>[] errorSubscribers;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            subscribers = _subscribers;
            errorSubscribers = _errorSubscribers;
            _subscribers = [];
            _errorSubscribers = [];
            foreach (var subscriber in subscribers)
            {
                subscriber.PostCompleted();
            }

            foreach (var subscriber in errorSubscribers)
            {
                subscriber.PostCompleted();
            }
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Drain();
        }

        foreach (var subscriber in errorSubscribers)
        {
            subscriber.Drain();
        }
    }

    private static void ThrowIfNullKey(TKey key)
    {
        if (key is null)
        {
            throw new ArgumentNullException(nameof(key));
        }
    }

    private readonly record struct Entry(TKey Key, TValue Value);
}
