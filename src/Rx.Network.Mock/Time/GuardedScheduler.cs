using System.Reactive.Concurrency;

namespace Rx.Network.Mock.Time;

/// <summary>
/// A virtual-time scheduler seen through its clock's lock: what the mock network and the clocks
/// it hands out (<see cref="MockNetwork.TimeProvider"/>) schedule on, so that code of a run on
/// another thread (a <c>Task.Delay</c> on the network's clock inside a <c>Task.Run</c>) may
/// schedule while the driver steps the clock.
/// </summary>
internal sealed class GuardedScheduler(IScheduler inner, VirtualClock clock) : IScheduler
{
    /// <inheritdoc/>
    public DateTimeOffset Now => inner.Now;

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action)
    {
        lock (clock.Gate)
        {
            return new Guarded(inner.Schedule(state, action), clock);
        }
    }

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        lock (clock.Gate)
        {
            return new Guarded(inner.Schedule(state, dueTime, action), clock);
        }
    }

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        lock (clock.Gate)
        {
            return new Guarded(inner.Schedule(state, dueTime, action), clock);
        }
    }

    /// <summary>A scheduled item whose cancellation also takes the lock (it may touch the queue).</summary>
    private sealed class Guarded(IDisposable item, VirtualClock clock) : IDisposable
    {
        public void Dispose()
        {
            lock (clock.Gate)
            {
                item.Dispose();
            }
        }
    }
}
