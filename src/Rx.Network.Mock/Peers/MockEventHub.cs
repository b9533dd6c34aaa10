using System.Collections.Immutable;
using Rx.Network.Reactive;

namespace Rx.Network.Mock.Peers;

/// <summary>
/// A mock peer's event stream: one global order, each subscriber served in that order from the
/// mock network's scheduler (never inline in the code that published), a throwing subscriber
/// detached. Like the swarm's hub, publishing never blocks and never throws, and each subscriber's
/// queue is bounded: one more than <c>capacity</c> events behind is ended with
/// <see cref="EventOverflowException"/> once the events queued before it are delivered.
/// </summary>
internal sealed class MockEventHub(NetworkScheduler scheduler, int capacity) : IObservable<NetworkEvent>
{
    private readonly Lock gate = new();
    private ImmutableArray<Subscriber> subscribers = [];
    private bool completed;

    /// <summary>
    /// Whether anyone subscribes now: a publisher may skip making an event nobody would see (a
    /// later subscriber only sees events published after it subscribed).
    /// </summary>
    public bool IsObserved => !subscribers.IsEmpty;

    public IDisposable Subscribe(IObserver<NetworkEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscriber = new Subscriber(this, observer);
        lock (gate)
        {
            if (completed)
            {
                subscriber.Mailbox.PostCompleted();
            }
            else
            {
                subscribers = subscribers.Add(subscriber);
            }
        }

        scheduler.Post(subscriber.Mailbox.Drain);
        return subscriber.Mailbox;
    }

    /// <summary>Queues <paramref name="networkEvent"/> for every subscriber; call it under the lock that orders events.</summary>
    public void Publish(NetworkEvent networkEvent)
    {
        ImmutableArray<Subscriber> current;
        lock (gate)
        {
            if (completed)
            {
                return;
            }

            current = subscribers;
            foreach (var subscriber in current)
            {
                if (!subscriber.TryPost(networkEvent, capacity))
                {
                    subscribers = subscribers.Remove(subscriber);
                }
            }
        }

        foreach (var subscriber in current)
        {
            scheduler.Post(subscriber.Mailbox.Drain);
        }
    }

    public void Complete()
    {
        ImmutableArray<Subscriber> current;
        lock (gate)
        {
            if (completed)
            {
                return;
            }

            completed = true;
            current = subscribers;
            subscribers = [];
            foreach (var subscriber in current)
            {
                subscriber.Mailbox.PostCompleted();
            }
        }

        foreach (var subscriber in current)
        {
            scheduler.Post(subscriber.Mailbox.Drain);
        }
    }

    private void Detach(Subscriber subscriber)
    {
        lock (gate)
        {
            subscribers = subscribers.Remove(subscriber);
        }
    }

    /// <summary>One subscriber: its mailbox, and how many events wait in it.</summary>
    private sealed class Subscriber : IObserver<Delivery>
    {
        private readonly IObserver<NetworkEvent> observer;
        private int queued;

        public Subscriber(MockEventHub hub, IObserver<NetworkEvent> observer)
        {
            this.observer = observer;
            Mailbox = new Mailbox<Delivery>(this, _ => hub.Detach(this), static (_, _) => { });
        }

        public Mailbox<Delivery> Mailbox { get; }

        /// <summary>Queues the event, or the overflow when the queue is full; false once overflowed.</summary>
        public bool TryPost(NetworkEvent networkEvent, int capacity)
        {
            if (Interlocked.Increment(ref queued) <= capacity)
            {
                Mailbox.Post(new Delivery(networkEvent, null));
                return true;
            }

            Mailbox.Post(new Delivery(null, new EventOverflowException(capacity)));
            return false;
        }

        public void OnNext(Delivery value)
        {
            if (value.Overflow is { } overflow)
            {
                Mailbox.Dispose();
                observer.OnError(overflow);
                return;
            }

            Interlocked.Decrement(ref queued);
            observer.OnNext(value.Event!);
        }

        public void OnCompleted() => observer.OnCompleted();

        public void OnError(Exception error) => observer.OnError(error);
    }

    /// <summary>An event for a subscriber, or the overflow that ends it.</summary>
    private readonly record struct Delivery(NetworkEvent? Event, EventOverflowException? Overflow);
}
