using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace Rx.Network.Mock;

/// <summary>
/// A <see cref="TimeProvider"/> that reads and schedules on an <see cref="IScheduler"/>: give one
/// over a virtual-time scheduler (such as <see cref="Testing.TestScheduler"/>) to a
/// <see cref="NetworkOptions"/> and every timeout, backoff, keep-alive and lifetime of that network
/// runs in virtual time.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="GetUtcNow"/> is the scheduler's <see cref="IScheduler.Now"/> (for
/// <see cref="Testing.TestScheduler"/>, tick <c>n</c> is <c>new DateTimeOffset(n, TimeSpan.Zero)</c>:
/// virtual time starts in the year 1).</item>
/// <item><see cref="GetTimestamp"/> counts <see cref="TimeSpan"/> ticks
/// (<see cref="TimestampFrequency"/> is <see cref="TimeSpan.TicksPerSecond"/>) on a stopwatch the
/// scheduler provides (<see cref="Scheduler.StartStopwatch(IScheduler)"/>): virtual elapsed time on a
/// virtual-time scheduler, a monotonic clock on a real-time one.</item>
/// <item>Timers are scheduled work items: a callback runs on the scheduler (for a virtual-time
/// scheduler, on the thread that advances the clock), once at the due time and then every period.
/// A zero due time still goes through the scheduler, so on a <see cref="Testing.TestScheduler"/> it
/// runs one tick later.</item>
/// </list>
/// <para>Limits: the scheduler must queue timed work (not <see cref="ImmediateScheduler"/>, which
/// sleeps the calling thread, nor <see cref="CurrentThreadScheduler"/>); the provider is only as thread-safe as its scheduler (System.Reactive's virtual-time
/// schedulers lock their queue, so scheduling from any thread is safe; advancing the clock must stay
/// on one thread). A virtual clock stands still until someone advances it, so code that waits on a
/// timer waits until the test moves time; <see cref="TimeProvider.LocalTimeZone"/> is the machine's.</para>
/// </remarks>
public sealed class SchedulerTimeProvider : TimeProvider
{
    private readonly IScheduler scheduler;
    private readonly IStopwatch stopwatch;

    /// <summary>Creates a time provider over <paramref name="scheduler"/>.</summary>
    /// <param name="scheduler">The scheduler whose clock and queue to use.</param>
    /// <exception cref="ArgumentNullException"><paramref name="scheduler"/> is null.</exception>
    public SchedulerTimeProvider(IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        this.scheduler = scheduler;
        stopwatch = scheduler.StartStopwatch();
    }

    /// <summary>The scheduler this provider reads and schedules on.</summary>
    public IScheduler Scheduler => scheduler;

    /// <summary>Ticks per second of <see cref="GetTimestamp"/>: one timestamp unit is one <see cref="TimeSpan"/> tick.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>The scheduler's current time, in UTC.</summary>
    /// <returns>The scheduler's <see cref="IScheduler.Now"/>.</returns>
    public override DateTimeOffset GetUtcNow() => scheduler.Now.ToUniversalTime();

    /// <summary>The time elapsed on the scheduler since this provider was created, in <see cref="TimeSpan"/> ticks.</summary>
    /// <returns>The timestamp.</returns>
    public override long GetTimestamp() => stopwatch.Elapsed.Ticks;

    /// <summary>Creates a timer whose firings are work items on the scheduler.</summary>
    /// <param name="callback">What to run at each firing.</param>
    /// <param name="state">The argument passed to <paramref name="callback"/>.</param>
    /// <param name="dueTime">Time until the first firing; <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    /// <param name="period">Time between later firings; <see cref="Timeout.InfiniteTimeSpan"/> or zero for one firing.</param>
    /// <returns>The timer; dispose it to cancel pending firings.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dueTime"/> or <paramref name="period"/> is negative and not infinite.</exception>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new SchedulerTimer(scheduler, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class SchedulerTimer(IScheduler scheduler, TimerCallback callback, object? state) : ITimer
    {
        private readonly object gate = new();
        private readonly SerialDisposable pending = new();
        private TimeSpan period;
        private long generation;
        private bool disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            ThrowIfInvalid(dueTime, nameof(dueTime));
            ThrowIfInvalid(period, nameof(period));
            lock (gate)
            {
                if (disposed)
                {
                    return false;
                }

                // A generation number makes a firing already under way for the old settings harmless.
                generation++;
                this.period = period;
                pending.Disposable = dueTime == Timeout.InfiniteTimeSpan
                    ? null
                    : scheduler.Schedule(generation, dueTime, Fire);
                return true;
            }
        }

        public void Dispose()
        {
            lock (gate)
            {
                disposed = true;
                generation++;
            }

            pending.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private static void ThrowIfInvalid(TimeSpan value, string name)
        {
            if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(name, value, "Must be zero or positive, or Timeout.InfiniteTimeSpan.");
            }
        }

        private IDisposable Fire(IScheduler self, long firing)
        {
            lock (gate)
            {
                if (disposed || firing != generation)
                {
                    return Disposable.Empty;
                }
            }

            callback(state);
            lock (gate)
            {
                if (!disposed && firing == generation && period > TimeSpan.Zero)
                {
                    pending.Disposable = self.Schedule(firing, period, Fire);
                }
            }

            return Disposable.Empty;
        }
    }
}
