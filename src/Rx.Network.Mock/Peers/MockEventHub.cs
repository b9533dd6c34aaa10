using System.Collections.Immutable;
using Rx.Network.Reactive;

namespace Rx.Network.Mock.Peers;

/// <summary>
/// A mock peer's event stream: one global order, each subscriber served in that order from the
/// mock network's dispatcher (never inline in the code that published), a throwing subscriber
/// detached. Like the swarm's hub, publishing never blocks and never throws.
/// </summary>
internal sealed class MockEventHub(NetworkScheduler dispatcher) : IObservable<NetworkEvent>
{
    private readonly Lock gate = new();
    private ImmutableArray<Mailbox<NetworkEvent>> subscribers = [];
    private bool completed;

    public IDisposable Subscribe(IObserver<NetworkEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var mailbox = new Mailbox<NetworkEvent>(observer, Detach, static (_, _) => { });
        lock (gate)
        {
            if (completed)
            {
                mailbox.PostCompleted();
            }
            else
            {
                subscribers = subscribers.Add(mailbox);
            }
        }

        dispatcher.Post(mailbox.Drain);
        return mailbox;
    }

    /// <summary>Queues <paramref name="networkEvent"/> for every subscriber; call it under the lock that orders events.</summary>
    public void Publish(NetworkEvent networkEvent)
    {
        ImmutableArray<Mailbox<NetworkEvent>> current;
        lock (gate)
        {
            if (completed)
            {
                return;
            }

            current = subscribers;
            foreach (var mailbox in current)
            {
                mailbox.Post(networkEvent);
            }
        }

        foreach (var mailbox in current)
        {
            dispatcher.Post(mailbox.Drain);
        }
    }

    public void Complete()
    {
        ImmutableArray<Mailbox<NetworkEvent>> current;
        lock (gate)
        {
            if (completed)
            {
                return;
            }

            completed = true;
            current = subscribers;
            subscribers = [];
            foreach (var mailbox in current)
            {
                mailbox.PostCompleted();
            }
        }

        foreach (var mailbox in current)
        {
            dispatcher.Post(mailbox.Drain);
        }
    }

    private void Detach(Mailbox<NetworkEvent> mailbox)
    {
        lock (gate)
        {
            subscribers = subscribers.Remove(mailbox);
        }
    }
}
