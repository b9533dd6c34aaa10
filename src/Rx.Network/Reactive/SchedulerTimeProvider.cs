using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace Rx.Network.Reactive;

/// <summary>
/// A <see cref="TimeProvider"/> that reads its clock from an Rx <see cref="IScheduler"/> and runs
/// its timers as scheduled actions on it: the library takes its time from a
/// <see cref="TimeProvider"/>, and this lets a virtual-time scheduler (a
/// <see cref="HistoricalScheduler"/>, a test scheduler) drive every timeout, backoff and lifetime.
/// </summary>
/// <remarks>
/// Wall-clock time is <see cref="IScheduler.Now"/>; timestamps come from the scheduler's stopwatch
/// (<see cref="Scheduler.StartStopwatch"/>, virtual for virtual-time schedulers) in ticks of
/// 100 ns. Timer callbacks run wherever the scheduler runs its actions.
/// </remarks>
public sealed class SchedulerTimeProvider : TimeProvider
{
    private readonly IStopwatch stopwatch;

    /// <summary>Wraps <paramref name="scheduler"/>.</summary>
    /// <param name="scheduler">The scheduler.</param>
    /// <exception cref="ArgumentNullException"><paramref name="scheduler"/> is null.</exception>
    public SchedulerTimeProvider(IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        Scheduler = scheduler;
        stopwatch = scheduler.StartStopwatch();
    }

    /// <summary>The scheduler this clock reads.</summary>
    public IScheduler Scheduler { get; }

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => Scheduler.Now.ToUniversalTime();

    /// <inheritdoc/>
    public override long GetTimestamp() => stopwatch.Elapsed.Ticks;

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new SchedulerTimer(Scheduler, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>A timer made of one scheduled action at a time; a change or disposal cancels the pending one.</summary>
    private sealed class SchedulerTimer(IScheduler scheduler, TimerCallback callback, object? state) : ITimer
    {
        private readonly Lock gate = new();
        private readonly SerialDisposable pending = new();

        // Bumped by every Change: an action scheduled for an older setting that runs anyway (its
        // cancellation raced with its start) sees a stale generation and does nothing.
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

                long current = ++generation;
                pending.Disposable = dueTime == Timeout.InfiniteTimeSpan
                    ? null
                    : scheduler.Schedule(dueTime, () => Fire(current, period));
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
                throw new ArgumentOutOfRangeException(name, value, "A timer's times are non-negative or Timeout.InfiniteTimeSpan.");
            }
        }

        private void Fire(long scheduledGeneration, TimeSpan period)
        {
            lock (gate)
            {
                if (disposed || scheduledGeneration != generation)
                {
                    return;
                }

                // A zero or infinite period means one shot, as with System.Threading.Timer.
                pending.Disposable = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero
                    ? null
                    : scheduler.Schedule(period, () => Fire(scheduledGeneration, period));
            }

            callback(state);
        }
    }
}
