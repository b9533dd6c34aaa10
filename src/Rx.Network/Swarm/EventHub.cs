using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Rx.Network.Swarm;

/// <summary>
/// Publishes network events to subscribers in one global order, each subscriber served by its own
/// bounded queue and pump: a slow subscriber delays only itself; one that falls
/// <see cref="capacity"/> events behind is ended with <see cref="EventOverflowException"/>; one
/// that throws is detached (and logged). Publishing never blocks and never throws.
/// </summary>
/// <remarks>
/// An overflow is also reported at the moment it happens, to the callback given at subscription
/// (the observer itself hears of it only once it has worked through its queue): the callback runs
/// after the event that overflowed was queued for every subscriber, in the publishing order, so
/// an event it publishes follows that one everywhere.
/// </remarks>
internal sealed class EventHub : IObservable<NetworkEvent>
{
    private readonly object gate = new();
    private readonly int capacity;
    private readonly ILogger logger;
    private readonly TaskScheduler pumps;
    private ImmutableSubscribers subscribers = ImmutableSubscribers.Empty;
    private bool completed;

    /// <summary>Creates the hub.</summary>
    /// <param name="capacity">How many events a subscriber may fall behind.</param>
    /// <param name="logger">Where a throwing subscriber is logged.</param>
    /// <param name="pumps">
    /// Where the subscribers' pumps run (the network's <c>NetworkScheduler.Tasks</c>): the thread pool in
    /// production, the mock's driver in virtual time, so an observer sees each event at its virtual instant.
    /// </param>
    public EventHub(int capacity, ILogger logger, TaskScheduler pumps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentNullException.ThrowIfNull(pumps);
        this.capacity = capacity;
        this.logger = logger;
        this.pumps = pumps;
    }

    /// <summary>Appends <paramref name="networkEvent"/> to every subscriber's queue, in call order.</summary>
    public void Publish(NetworkEvent networkEvent)
    {
        lock (gate)
        {
            if (completed)
            {
                return;
            }

            List<Subscriber>? overflowed = null;
            foreach (var subscriber in subscribers.Items)
            {
                if (!subscriber.Enqueue(networkEvent))
                {
                    (overflowed ??= []).Add(subscriber);
                }
            }

            // Under the lock (re-entered by a publishing callback): the report keeps its place
            // in the one global order.
            overflowed?.ForEach(s => s.ReportOverflow());
        }
    }

    /// <summary>Completes every subscriber after its queued events; later subscribers complete at once.</summary>
    public void Complete()
    {
        lock (gate)
        {
            completed = true;
            foreach (var subscriber in subscribers.Items)
            {
                subscriber.Complete();
            }

            subscribers = ImmutableSubscribers.Empty;
        }
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(IObserver<NetworkEvent> observer) => Subscribe(observer, overflowed: null);

    /// <summary>Subscribes <paramref name="observer"/>; <paramref name="overflowed"/> hears at once if it falls too far behind.</summary>
    public IDisposable Subscribe(IObserver<NetworkEvent> observer, Action<EventOverflowException>? overflowed)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscriber = new Subscriber(this, observer, overflowed);
        lock (gate)
        {
            if (completed)
            {
                observer.OnCompleted();
                return subscriber;
            }

            subscribers = subscribers.Add(subscriber);
        }

        subscriber.Start();
        return subscriber;
    }

    private void Remove(Subscriber subscriber)
    {
        lock (gate)
        {
            subscribers = subscribers.Remove(subscriber);
        }
    }

    private sealed class Subscriber : IDisposable
    {
        private readonly EventHub hub;
        private readonly IObserver<NetworkEvent> observer;
        private readonly Channel<NetworkEvent> queue;
        private readonly CancellationTokenSource stop = new();
        private readonly Action<EventOverflowException>? onOverflow;
        private EventOverflowException? overflow;
        private int overflowed;

        public Subscriber(EventHub hub, IObserver<NetworkEvent> observer, Action<EventOverflowException>? onOverflow)
        {
            this.hub = hub;
            this.observer = observer;
            this.onOverflow = onOverflow;
            queue = Channel.CreateBounded<NetworkEvent>(new BoundedChannelOptions(hub.capacity)
            {
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }

        // On the network's task scheduler; the pump's awaits resume there too (ConfigureAwait(true)):
        // on the thread pool in production, on the mock's driver in virtual time.
        public void Start() => new Task<Task>(PumpAsync, TaskCreationOptions.DenyChildAttach).Start(hub.pumps);

        /// <summary>Queues the event; false when this call overflowed the queue (the subscriber is ended).</summary>
        public bool Enqueue(NetworkEvent networkEvent)
        {
            if (!queue.Writer.TryWrite(networkEvent) && Interlocked.Exchange(ref overflowed, 1) == 0)
            {
                overflow = new EventOverflowException(hub.capacity);
                queue.Writer.TryComplete(overflow);
                hub.Remove(this);
                return false;
            }

            return true;
        }

        /// <summary>Tells the subscription's overflow callback; a throwing callback is logged.</summary>
        public void ReportOverflow()
        {
            try
            {
                onOverflow?.Invoke(overflow!);
            }
            catch (Exception e)
            {
                hub.logger.SubscriberThrew(e);
            }
        }

        public void Complete() => queue.Writer.TryComplete();

        public void Dispose()
        {
            hub.Remove(this);
            queue.Writer.TryComplete();
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The pump already ended.
            }
        }

        private async Task PumpAsync()
        {
            try
            {
                await foreach (var networkEvent in queue.Reader.ReadAllAsync(stop.Token).ConfigureAwait(true))
                {
                    observer.OnNext(networkEvent);
                }

                observer.OnCompleted();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Unsubscribed.
            }
            catch (EventOverflowException e)
            {
                observer.OnError(e);
            }
            catch (Exception e)
            {
                // The observer threw: detach it, keep the network going.
                hub.logger.SubscriberThrew(e);
                hub.Remove(this);
            }
            finally
            {
                stop.Dispose();
            }
        }
    }

    /// <summary>Copy-on-write subscriber list: publishing iterates without allocating.</summary>
    private sealed class ImmutableSubscribers(Subscriber[] items)
    {
        public static readonly ImmutableSubscribers Empty = new([]);

        public Subscriber[] Items { get; } = items;

        public ImmutableSubscribers Add(Subscriber s) => new([.. Items, s]);

        public ImmutableSubscribers Remove(Subscriber s) => Array.IndexOf(Items, s) < 0 ? this : new(Items.Where(x => x != s).ToArray());
    }
}
