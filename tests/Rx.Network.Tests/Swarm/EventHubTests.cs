using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using Rx.Network.Addressing;
using Rx.Network.Swarm;

namespace Rx.Network.Tests.Swarm;

public class EventHubTests
{
    private static readonly TimeSpan Wait = SwarmKit.Wait;
    private static readonly Multiaddr Address = Multiaddr.Parse("/ip4/127.0.0.1/tcp/1");

    [Fact]
    public void Constructor_CapacityBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventHub(0, NullLogger.Instance, TaskScheduler.Default));
        Assert.Throws<ArgumentNullException>(() => new EventHub(1, NullLogger.Instance, TaskScheduler.Default).Subscribe(null!));
    }

    [Fact]
    public async Task Publish_SlowSubscriber_GetsItsQueueThenOverflow_OthersGetEverything()
    {
        const int capacity = 3;
        var hub = new EventHub(capacity, NullLogger.Instance, TaskScheduler.Default);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        var slowSeen = new List<NetworkEvent>();
        var slowError = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var slow = hub.Subscribe(System.Reactive.Observer.Create<NetworkEvent>(
            e =>
            {
                blocked.TrySetResult();
                release.Wait();
                slowSeen.Add(e);
            },
            e => slowError.TrySetResult(e)));
        var fast = new System.Reactive.Subjects.ReplaySubject<NetworkEvent>();
        using var fastSubscription = hub.Subscribe(fast);

        // The first event is taken and blocks the slow pump; the next `capacity` fill its queue.
        // Publishing waits for the fast subscriber each time (a burst beyond the capacity would
        // overflow any subscriber whose pump has not run yet).
        hub.Publish(Event(0));
        await blocked.Task.WaitAsync(Wait);
        for (int i = 0; i < 10; i++)
        {
            if (i > 0)
            {
                hub.Publish(Event(i));
            }

            await fast.Skip(i).FirstAsync().ToTask().WaitAsync(Wait);
        }

        release.Set();
        var overflow = Assert.IsType<EventOverflowException>(await slowError.Task.WaitAsync(Wait));
        Assert.Equal(capacity, overflow.Capacity);
        Assert.Equal(Enumerable.Range(0, capacity + 1), slowSeen.Select(Port));
    }

    [Fact]
    public async Task Publish_ThrowingSubscriber_IsDetached_OthersGoOn()
    {
        var hub = new EventHub(16, NullLogger.Instance, TaskScheduler.Default);
        int calls = 0;
        var threw = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var thrower = hub.Subscribe(System.Reactive.Observer.Create<NetworkEvent>(_ =>
        {
            Interlocked.Increment(ref calls);
            threw.TrySetResult();
            throw new InvalidOperationException("subscriber bug");
        }));
        var all = hub.Take(3).ToList().ToTask();

        hub.Publish(Event(0));
        hub.Publish(Event(1));
        hub.Publish(Event(2));
        Assert.Equal([0, 1, 2], (await all.WaitAsync(Wait)).Select(Port));

        // Each subscriber has its own pump: the thrower's may run after the others finished. Once
        // it threw, its pump has ended: it is never called again.
        await threw.Task.WaitAsync(Wait);
        var later = hub.Take(1).ToList().ToTask();
        hub.Publish(Event(3));
        await later.WaitAsync(Wait);
        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task Complete_DeliversQueuedEventsFirst_LateSubscribersCompleteAtOnce()
    {
        var hub = new EventHub(16, NullLogger.Instance, TaskScheduler.Default);
        var all = hub.ToList().ToTask();
        hub.Publish(Event(0));
        hub.Publish(Event(1));
        hub.Complete();
        hub.Publish(Event(2));

        Assert.Equal([0, 1], (await all.WaitAsync(Wait)).Select(Port));
        Assert.Empty(await hub.ToList().ToTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task Dispose_Unsubscribes()
    {
        var hub = new EventHub(16, NullLogger.Instance, TaskScheduler.Default);
        var seen = new List<NetworkEvent>();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = hub.Subscribe(e =>
        {
            lock (seen)
            {
                seen.Add(e);
            }

            first.TrySetResult();
        });
        var control = hub.Take(2).ToList().ToTask();

        hub.Publish(Event(0));
        await first.Task.WaitAsync(Wait);
        subscription.Dispose();
        hub.Publish(Event(1));
        await control.WaitAsync(Wait);
        lock (seen)
        {
            Assert.Equal([0], seen.Select(Port));
        }
    }

    private static ListenStarted Event(int port) => new(DateTimeOffset.UnixEpoch, Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}"));

    private static int Port(NetworkEvent e) => SwarmKit.PortOf(((ListenStarted)e).Address);
}
