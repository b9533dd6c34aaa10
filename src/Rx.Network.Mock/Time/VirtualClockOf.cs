using System.Reactive.Concurrency;
using System.Reflection;

namespace Rx.Network.Mock.Time;

/// <summary>
/// Steps a <see cref="VirtualTimeSchedulerBase{TAbsolute, TRelative}"/> one work item at a time.
/// </summary>
/// <remarks>
/// The schedulers' public surface only runs work in batches (<c>AdvanceTo</c>, <c>Start</c>), and
/// <c>AdvanceTo</c> ends by setting the clock to its target even when stopped early, so it cannot
/// run one item and return. The mock network must run one item at a time, because the work an item
/// sets off (posted to the driver's ready queue) has to run before the next item. The base class
/// offers that step to derived schedulers as the protected <c>GetNext</c> (its own <c>Start</c>
/// loop is "take <c>GetNext</c>, move the clock, invoke"); this class binds that member once per
/// scheduler and runs the same loop body, with the clock moved by the public <c>Sleep</c>.
/// </remarks>
/// <typeparam name="TAbsolute">The scheduler's absolute time.</typeparam>
/// <typeparam name="TRelative">The scheduler's relative time.</typeparam>
internal abstract class VirtualClock<TAbsolute, TRelative> : VirtualClock
    where TAbsolute : IComparable<TAbsolute>
{
    private readonly VirtualTimeSchedulerBase<TAbsolute, TRelative> scheduler;
    private readonly Func<IScheduledItem<TAbsolute>?> getNext;

    protected VirtualClock(VirtualTimeSchedulerBase<TAbsolute, TRelative> scheduler)
    {
        this.scheduler = scheduler;
        var method = typeof(VirtualTimeSchedulerBase<TAbsolute, TRelative>).GetMethod("GetNext", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new NotSupportedException(
                $"This System.Reactive has no protected GetNext on {typeof(VirtualTimeSchedulerBase<TAbsolute, TRelative>).Name}; the mock network cannot step its virtual time.");

        // Bound to the instance, the delegate dispatches to the scheduler's own override.
        getNext = method.CreateDelegate<Func<IScheduledItem<TAbsolute>?>>(scheduler);
    }

    /// <inheritdoc/>
    public override long Ticks => ToTicks(scheduler.Clock);

    /// <inheritdoc/>
    public override bool IsRunning => scheduler.IsEnabled;

    /// <inheritdoc/>
    public override bool TryPeekNextDue(out long dueTicks)
    {
        lock (Gate)
        {
            var next = getNext();
            dueTicks = next is null ? 0 : ToTicks(next.DueTime);
            return next is not null;
        }
    }

    /// <inheritdoc/>
    public override bool RunNext(long limitTicks)
    {
        IScheduledItem<TAbsolute>? next;
        lock (Gate)
        {
            next = getNext();
            if (next is null || ToTicks(next.DueTime) > limitTicks)
            {
                return false;
            }

            if (next.DueTime.CompareTo(scheduler.Clock) > 0)
            {
                scheduler.Sleep(Between(scheduler.Clock, next.DueTime));
            }
        }

        // Outside the lock: the item schedules more, and code elsewhere may too meanwhile.
        next.Invoke();
        return true;
    }

    /// <inheritdoc/>
    public override void MoveTo(long ticks)
    {
        lock (Gate)
        {
            if (ticks > Ticks)
            {
                scheduler.Sleep(Between(scheduler.Clock, FromTicks(ticks)));
            }
        }
    }

    /// <summary>Converts the scheduler's absolute time to 100 ns ticks.</summary>
    protected abstract long ToTicks(TAbsolute absolute);

    /// <summary>Converts 100 ns ticks to the scheduler's absolute time.</summary>
    protected abstract TAbsolute FromTicks(long ticks);

    /// <summary>The relative time from <paramref name="from"/> to the later <paramref name="to"/>.</summary>
    protected abstract TRelative Between(TAbsolute from, TAbsolute to);
}
