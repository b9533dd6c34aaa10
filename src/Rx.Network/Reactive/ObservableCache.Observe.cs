using System.Reactive.Linq;
using Rx.Network.Errors;

namespace Rx.Network.Reactive;

/// <content>Subscriptions: <see cref="Connect"/>, <see cref="Watch"/> and the error channel.</content>
public sealed partial class ObservableCache<TKey, TValue>
{
    // Copy-on-write under _gate, so an edit can post to a stable array and drain it outside the lock.
    private Mailbox<IChangeSet<TKey, TValue>>[] _subscribers = [];
    private Mailbox<Exception>[] _errorSubscribers = [];

    /// <summary>
    /// Hot: the exceptions thrown by subscribers' <c>OnNext</c> or <c>OnCompleted</c>, each published
    /// after the faulty subscriber was detached. Subscribers of this sequence get only exceptions
    /// raised after they subscribed; if there are none, the exceptions are dropped. An observer of
    /// this sequence that throws is itself detached silently. Completes when the cache is disposed.
    /// </summary>
    /// <remarks>
    /// A throwing <c>OnNext</c> is a bug in that observer (Rx design guidelines); this channel exists
    /// so the owner of the cache can log such bugs instead of having them unwind whichever thread
    /// happened to be editing.
    /// </remarks>
    public IObservable<Exception> UnhandledSubscriberErrors =>
        Observable.Create<Exception>(observer => AttachErrorObserver(observer));

    /// <summary>How many observers are attached to change sets now; lets tests check that unsubscribing detaches.</summary>
    internal int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Length;
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Subscribing from inside an <see cref="Edit"/> action is refused: the subscriber receives
    /// <see cref="InvalidOperationException"/> through <c>OnError</c>, since the edit's changes are in
    /// the cache but not yet published.
    /// </remarks>
    public IObservable<IChangeSet<TKey, TValue>> Connect(Func<TValue, bool>? predicate = null)
    {
        var all = Observable.Create<IChangeSet<TKey, TValue>>(observer => Attach(observer, SnapshotAll));
        return predicate is null ? all : all.Filter(predicate);
    }

    /// <inheritdoc/>
    /// <remarks>As for <see cref="Connect"/>, subscribing from inside an <see cref="Edit"/> action is refused through <c>OnError</c>.</remarks>
    public IObservable<Change<TKey, TValue>> Watch(TKey key)
    {
        ThrowIfNullKey(key);
        return Observable.Create<Change<TKey, TValue>>(observer =>
            Attach(new KeyObserver(key, _comparer, observer), () => SnapshotOne(key)));
    }

    private Mailbox<IChangeSet<TKey, TValue>> Attach(IObserver<IChangeSet<TKey, TValue>> observer, Func<ChangeSet<TKey, TValue>?> snapshot)
    {
        var mailbox = new Mailbox<IChangeSet<TKey, TValue>>(observer, Detach, OnSubscriberFault);
        lock (_gate)
        {
            // The edit's changes are already in _items but not yet published: a snapshot now would
            // be followed by the same changes again.
            if (_editing)
            {
                throw Error.SubscribeDuringEdit();
            }

            // Snapshot and attachment under the same lock as edits: every edit lands either in the
            // snapshot or in the mailbox after it, never both, never neither.
            if (snapshot() is { } initial)
            {
                mailbox.Post(initial);
            }

            if (_disposed)
            {
                mailbox.PostCompleted();
            }
            else
            {
                _subscribers = [.. _subscribers, mailbox];
            }
        }

        mailbox.Drain();
        return mailbox;
    }

    private Mailbox<Exception> AttachErrorObserver(IObserver<Exception> observer)
    {
        var mailbox = new Mailbox<Exception>(observer, Detach, static (m, _) => { });
        lock (_gate)
        {
            if (_disposed)
            {
                mailbox.PostCompleted();
            }
            else
            {
                _errorSubscribers = [.. _errorSubscribers, mailbox];
            }
        }

        mailbox.Drain();
        return mailbox;
    }

    private void Detach(Mailbox<IChangeSet<TKey, TValue>> mailbox)
    {
        lock (_gate)
        {
            _subscribers = Without(_subscribers, mailbox);
        }
    }

    private void Detach(Mailbox<Exception> mailbox)
    {
        lock (_gate)
        {
            _errorSubscribers = Without(_errorSubscribers, mailbox);
        }
    }

    private void OnSubscriberFault(Mailbox<IChangeSet<TKey, TValue>> mailbox, Exception exception)
    {
        Mailbox<Exception>[] targets;
        lock (_gate)
        {
            targets = _errorSubscribers;
            foreach (var target in targets)
            {
                target.Post(exception);
            }
        }

        foreach (var target in targets)
        {
            target.Drain();
        }
    }

    private static T[] Without<T>(T[] array, T item)
        where T : class
    {
        int index = Array.IndexOf(array, item);
        if (index < 0)
        {
            return array;
        }

        var result = new T[array.Length - 1];
        Array.Copy(array, 0, result, 0, index);
        Array.Copy(array, index + 1, result, index, array.Length - index - 1);
        return result;
    }

    private ChangeSet<TKey, TValue>? SnapshotAll()
    {
        if (_items.Count == 0)
        {
            return null;
        }

        var changes = new List<Change<TKey, TValue>>(_items.Count);
        foreach (var entry in _items.Values)
        {
            changes.Add(new Change<TKey, TValue>(ChangeReason.Add, entry.Key, entry.Value));
        }

        return new ChangeSet<TKey, TValue>(changes);
    }

    private ChangeSet<TKey, TValue>? SnapshotOne(TKey key) =>
        _items.TryGetValue(key, out var entry)
            ? new ChangeSet<TKey, TValue>([new Change<TKey, TValue>(ChangeReason.Add, entry.Key, entry.Value)])
            : null;

    /// <summary>Passes on, one by one, the changes to one key.</summary>
    private sealed class KeyObserver(TKey key, IEqualityComparer<TKey> comparer, IObserver<Change<TKey, TValue>> downstream)
        : IObserver<IChangeSet<TKey, TValue>>
    {
        public void OnNext(IChangeSet<TKey, TValue> value)
        {
            foreach (var change in value)
            {
                if (comparer.Equals(change.Key, key))
                {
                    downstream.OnNext(change);
                }
            }
        }

        public void OnError(Exception error) => downstream.OnError(error);

        public void OnCompleted() => downstream.OnCompleted();
    }
}
