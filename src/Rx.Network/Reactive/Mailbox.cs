using System.Collections.Concurrent;

namespace Rx.Network.Reactive;

/// <summary>
/// Delivers notifications to one observer one at a time and in the order they were posted, from
/// whichever thread happens to drain it, without ever holding a lock while the observer runs.
/// </summary>
/// <remarks>
/// The owner posts under its own lock (which fixes the order: the same order for every mailbox)
/// and drains after releasing it. Draining uses the work-in-progress counter idiom: the thread that
/// raises the counter from zero delivers everything queued, including what other threads post
/// meanwhile, so no observer is ever called concurrently and nothing is left behind once every
/// <see cref="Drain"/> call has returned. Keeping observers out of the owner's lock is what lets a
/// subscriber edit or read the cache from its own callback, and lets a slow subscriber on one
/// thread hold up only itself. The price is that the queue is unbounded: a subscriber that cannot
/// keep up with the editing rate accumulates change sets, as it would behind Rx's
/// <c>ObserveOn</c>.
/// </remarks>
internal sealed class Mailbox<T> : IDisposable
{
    private readonly IObserver<T> _observer;
    private readonly Action<Mailbox<T>> _detach;
    private readonly Action<Mailbox<T>, Exception> _fault;
    private readonly ConcurrentQueue<Item> _queue = new();
    private int _wip;
    private int _disposed;

    // Set once the observer must not be called again: completed, faulted or unsubscribed. Checked
    // before every call so that an unsubscription from inside a callback takes effect at once.
    private volatile bool _stopped;

    /// <param name="observer">The observer to call.</param>
    /// <param name="detach">Removes this mailbox from its owner; called once, on dispose or fault.</param>
    /// <param name="fault">Told when the observer throws, after the mailbox has stopped and detached.</param>
    internal Mailbox(IObserver<T> observer, Action<Mailbox<T>> detach, Action<Mailbox<T>, Exception> fault)
    {
        _observer = observer;
        _detach = detach;
        _fault = fault;
    }

    internal void Post(T value) => _queue.Enqueue(new Item(value, completed: false));

    internal void PostCompleted() => _queue.Enqueue(new Item(default!, completed: true));

    internal void Drain()
    {
        if (Interlocked.Increment(ref _wip) != 1)
        {
            return;
        }

        int missed = 1;
        do
        {
            while (_queue.TryDequeue(out var item))
            {
                if (!_stopped)
                {
                    Deliver(item);
                }
            }

            missed = Interlocked.Add(ref _wip, -missed);
        }
        while (missed != 0);
    }

    public void Dispose()
    {
        _stopped = true;
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _detach(this);
            _queue.Clear();
        }
    }

    private void Deliver(Item item)
    {
        try
        {
            if (item.Completed)
            {
                _stopped = true;
                _observer.OnCompleted();
            }
            else
            {
                _observer.OnNext(item.Value);
            }
        }
#pragma warning disable CA1031 // An observer that throws is a bug in that observer; the owner reports it instead of letting it unwind the editor.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Dispose();
            _fault(this, ex);
        }
    }

    private readonly struct Item(T value, bool completed)
    {
        public T Value { get; } = value;

        public bool Completed { get; } = completed;
    }
}
