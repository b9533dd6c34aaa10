using System.Diagnostics.CodeAnalysis;
using System.Reactive.Disposables;
using System.Reactive.Linq;

namespace Rx.Network.Reactive;

/// <summary>
/// A view of an <see cref="ObservableCache{TKey, TValue}"/> whose owner keeps it up to date only
/// while someone looks: every read, and every new subscription (after it attached, so no change
/// falls between its snapshot and the refresh), first asks the owner to refresh the cache.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
internal sealed class RefreshingCache<TKey, TValue> : IObservableCache<TKey, TValue>
    where TKey : notnull
{
    private readonly ObservableCache<TKey, TValue> cache;
    private readonly Action refresh;

    /// <param name="cache">The cache the owner maintains.</param>
    /// <param name="refresh">Brings <paramref name="cache"/> up to date.</param>
    public RefreshingCache(ObservableCache<TKey, TValue> cache, Action refresh)
    {
        this.cache = cache;
        this.refresh = refresh;
    }

    /// <inheritdoc/>
    public int Count
    {
        get
        {
            refresh();
            return cache.Count;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<TValue> Items
    {
        get
        {
            refresh();
            return cache.Items;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<TKey> Keys
    {
        get
        {
            refresh();
            return cache.Keys;
        }
    }

    /// <inheritdoc/>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        refresh();
        return cache.TryGetValue(key, out value);
    }

    /// <inheritdoc/>
    public bool ContainsKey(TKey key)
    {
        refresh();
        return cache.ContainsKey(key);
    }

    /// <inheritdoc/>
    public IObservable<IChangeSet<TKey, TValue>> Connect(Func<TValue, bool>? predicate = null) =>
        RefreshAfterSubscribing(cache.Connect(predicate));

    /// <inheritdoc/>
    public IObservable<Change<TKey, TValue>> Watch(TKey key) => RefreshAfterSubscribing(cache.Watch(key));

    private IObservable<T> RefreshAfterSubscribing<T>(IObservable<T> source) =>
        Observable.Create<T>(observer =>
        {
            var subscription = source.Subscribe(observer);
            try
            {
                refresh();
            }
            catch (ObjectDisposedException)
            {
                // The owner shut down meanwhile: the subscription sees the cache complete.
            }

            return subscription;
        });
}
