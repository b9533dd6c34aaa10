using System.Reactive.Concurrency;

namespace Rx.Network.Mock.Time;

/// <summary>
/// A virtual-time scheduler seen through its clock's lock: what the mock network and the clocks
/// it hands out (<see cref="MockNetwork.TimeProvider"/>) schedule on, so that code of a run on
/// another thread (a <c>Task.Delay</c> on the network's clock inside a <c>Task.Run</c>) may
/// schedule while the driver steps the clock.
/// </summary>
/// <remarks>
/// Canceling needs no lock: System.Reactive's virtual-time schedulers hand out the scheduled item
/// itself, whose disposal only marks it canceled (thread-safe); the clock drops canceled items
/// under the lock as it steps.
/// </remarks>
internal sealed class GuardedScheduler(IScheduler inner, VirtualClock clock) : IScheduler
{
    /// <inheritdoc/>
    public DateTimeOffset Now => inner.Now;

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action)
    {
        lock (clock.Gate)
        {
            return inner.Schedule(state, action);
        }
    }

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        lock (clock.Gate)
        {
            return inner.Schedule(state, dueTime, action);
        }
    }

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        lock (clock.Gate)
        {
            return inner.Schedule(state, dueTime, action);
        }
    }
}
