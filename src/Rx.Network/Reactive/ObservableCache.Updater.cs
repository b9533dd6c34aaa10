using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Rx.Network.Errors;

namespace Rx.Network.Reactive;

/// <content>The updater an <see cref="Edit"/> action works through.</content>
public sealed partial class ObservableCache<TKey, TValue>
{
    /// <summary>
    /// Applies changes straight to the cache's dictionary (the edit holds the lock) and records
    /// each one, both to publish them and to undo them if the edit action throws.
    /// </summary>
    private sealed class Updater(ObservableCache<TKey, TValue> cache) : ICacheUpdater<TKey, TValue>
    {
        private readonly int _thread = Environment.CurrentManagedThreadId;
        private bool _closed;

        internal List<Change<TKey, TValue>> Changes { get; } = [];

        public int Count
        {
            get
            {
                EnsureUsable();
                return cache._items.Count;
            }
        }

        public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
        {
            ThrowIfNullKey(key);
            EnsureUsable();
            bool found = cache._items.TryGetValue(key, out var entry);
            value = entry.Value;
            return found;
        }

        public void AddOrUpdate(TValue value)
        {
            if (value is null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            EnsureWritable();
            var key = cache._keySelector(value);
            if (key is null)
            {
                throw Error.NullKey(nameof(value));
            }

            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(cache._items, key, out bool exists);
            if (exists)
            {
                var previous = slot.Value;
                slot = slot with { Value = value };
                Changes.Add(new Change<TKey, TValue>(slot.Key, value, previous));
            }
            else
            {
                slot = new Entry(key, value);
                Changes.Add(new Change<TKey, TValue>(ChangeReason.Add, key, value));
            }
        }

        public void AddOrUpdate(IEnumerable<TValue> values)
        {
            ArgumentNullException.ThrowIfNull(values);
            foreach (var value in values)
            {
                AddOrUpdate(value);
            }
        }

        public bool Remove(TKey key)
        {
            ThrowIfNullKey(key);
            EnsureWritable();
            if (!cache._items.Remove(key, out var entry))
            {
                return false;
            }

            Changes.Add(new Change<TKey, TValue>(ChangeReason.Remove, entry.Key, entry.Value));
            return true;
        }

        public void Clear()
        {
            EnsureWritable();
            foreach (var entry in cache._items.Values)
            {
                Changes.Add(new Change<TKey, TValue>(ChangeReason.Remove, entry.Key, entry.Value));
            }

            cache._items.Clear();
        }

        /// <summary>Undoes the recorded changes, newest first.</summary>
        internal void Rollback()
        {
            for (int i = Changes.Count - 1; i >= 0; i--)
            {
                var change = Changes[i];
                if (change.Reason == ChangeReason.Add)
                {
                    cache._items.Remove(change.Key);
                }
                else
                {
                    cache._items[change.Key] = new Entry(change.Key, change.Previous!);
                }
            }

            Changes.Clear();
        }

        internal void Close() => _closed = true;

        private void EnsureUsable()
        {
            // The updater touches the dictionary without taking the lock: only the thread that
            // holds it, during the edit, may use it.
            if (_closed || Environment.CurrentManagedThreadId != _thread)
            {
                throw Error.UpdaterNotUsable();
            }
        }

        private void EnsureWritable()
        {
            EnsureUsable();
            ObjectDisposedException.ThrowIf(cache._disposed, cache);
        }
    }
}
