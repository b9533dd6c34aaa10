using System.Reactive.Concurrency;

namespace Rx.Network.Mock.Time;

/// <summary>
/// The virtual-time scheduler a mock network runs on, seen in 100 ns ticks and stepped one work
/// item at a time. Made by <see cref="TryCreate"/> for the two shapes of System.Reactive's virtual
/// schedulers: <see cref="VirtualTimeSchedulerBase{TAbsolute, TRelative}"/> of <c>long</c> ticks
/// (Microsoft.Reactive.Testing's <c>TestScheduler</c>, <see cref="VirtualTimeScheduler{TAbsolute, TRelative}"/>
/// subclasses) and of <see cref="DateTimeOffset"/>/<see cref="TimeSpan"/> (<see cref="HistoricalScheduler"/>).
/// </summary>
internal abstract class VirtualClock
{
    /// <summary>
    /// Guards the scheduler's queue: virtual-time schedulers are not thread-safe, and code of a run
    /// may schedule timers from other threads while the driver steps the clock (ADR 0011 §4).
    /// </summary>
    public Lock Gate { get; } = new();

    /// <summary>The current time, in ticks of 100 ns.</summary>
    public abstract long Ticks { get; }

    /// <summary>Whether the scheduler is running work right now (inside its own Start or AdvanceTo).</summary>
    public abstract bool IsRunning { get; }

    /// <summary>Wraps <paramref name="scheduler"/> when it is a virtual-time scheduler this type can step.</summary>
    /// <param name="scheduler">Any scheduler.</param>
    /// <param name="clock">The wrapper, or null for a real-time scheduler.</param>
    /// <returns>Whether <paramref name="scheduler"/> is virtual.</returns>
    public static bool TryCreate(IScheduler scheduler, out VirtualClock? clock)
    {
        clock = scheduler switch
        {
            VirtualTimeSchedulerBase<long, long> ticks => new TickVirtualClock(ticks),
            VirtualTimeSchedulerBase<DateTimeOffset, TimeSpan> historical => new HistoricalVirtualClock(historical),
            _ => null,
        };
        return clock is not null;
    }

    /// <summary>Gets the due tick of the earliest pending (not canceled) work item, without running it.</summary>
    /// <param name="dueTicks">The earliest due tick, when there is pending work.</param>
    /// <returns>Whether any work is pending.</returns>
    public abstract bool TryPeekNextDue(out long dueTicks);

    /// <summary>
    /// Runs exactly one work item, the earliest, if it is due at or before <paramref name="limitTicks"/>,
    /// moving the clock to its due time first.
    /// </summary>
    /// <param name="limitTicks">The latest due tick that may run.</param>
    /// <returns>Whether an item ran.</returns>
    public abstract bool RunNext(long limitTicks);

    /// <summary>Moves the clock forward to <paramref name="ticks"/> (the caller has run everything due by then).</summary>
    /// <param name="ticks">The time to reach.</param>
    public abstract void MoveTo(long ticks);
}
