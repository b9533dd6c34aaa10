using System.Reactive.Concurrency;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Time;

/// <summary>
/// Moves a <see cref="TestScheduler"/>'s clock one work item at a time, letting the thread pool go
/// idle after each, so that everything a step sets off (deliveries, handlers, replies) has run and
/// scheduled its own future work before the clock moves again. On any other scheduler time is
/// real, and the driver only waits.
/// </summary>
/// <remarks>
/// One step at a time is what makes runs repeatable: a work item runs with the clock exactly at
/// its due time, and work it causes reads that same time, whatever the machine's speed. Drives
/// are serialized: concurrent callers take turns.
/// </remarks>
internal sealed class VirtualTimeDriver : IDisposable
{
    private readonly IScheduler scheduler;
    private readonly TestScheduler? virtualScheduler;
    private readonly TimeProvider wallClock;
    private readonly TimeSpan idleTimeout;
    private readonly SemaphoreSlim turn = new(1, 1);

    public VirtualTimeDriver(IScheduler scheduler, TimeProvider wallClock, TimeSpan idleTimeout)
    {
        this.scheduler = scheduler;
        virtualScheduler = scheduler as TestScheduler;
        this.wallClock = wallClock;
        this.idleTimeout = idleTimeout;
    }

    /// <summary>Whether the clock is virtual (a <see cref="TestScheduler"/>).</summary>
    public bool IsVirtual => virtualScheduler is not null;

    /// <summary>Waits until the work in flight has run (the clock does not move).</summary>
    public async Task SettleAsync(CancellationToken cancellationToken)
    {
        await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await IdleAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>Runs every work item due up to <paramref name="ticks"/> in order, settling after each, and leaves the clock there.</summary>
    /// <exception cref="InvalidOperationException">Time is real.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ticks"/> is in the past.</exception>
    public Task AdvanceToAsync(long ticks, CancellationToken cancellationToken) =>
        AdvanceAsync(_ => ticks, cancellationToken);

    /// <summary>Like <see cref="AdvanceToAsync"/>, to <paramref name="time"/> past the clock as it is when this drive's turn comes.</summary>
    /// <exception cref="InvalidOperationException">Time is real.</exception>
    public Task AdvanceByAsync(TimeSpan time, CancellationToken cancellationToken) =>
        AdvanceAsync(now => long.MaxValue - now < time.Ticks ? long.MaxValue : now + time.Ticks, cancellationToken);

    private async Task AdvanceAsync(Func<long, long> target, CancellationToken cancellationToken)
    {
        var clock = RequireVirtual();
        await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long ticks = target(clock.Clock);
            ArgumentOutOfRangeException.ThrowIfLessThan(ticks, clock.Clock);
            await IdleAsync(cancellationToken).ConfigureAwait(false);
            while (clock.RunNext(ticks))
            {
                await IdleAsync(cancellationToken).ConfigureAwait(false);
            }

            if (ticks > clock.Clock)
            {
                clock.AdvanceTo(ticks);
            }
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>
    /// Steps virtual time until <paramref name="done"/> holds (checked whenever the pool is idle),
    /// at most <paramref name="limit"/> past the current time; on a real-time scheduler, waits for
    /// <paramref name="completion"/> at most <paramref name="limit"/>.
    /// </summary>
    /// <exception cref="TimeoutException">The condition did not hold within the limit, or nothing was left to run.</exception>
    public async Task RunUntilAsync(Func<bool> done, Task completion, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (virtualScheduler is not { } clock)
        {
            await completion.WaitAsync(limit, wallClock, cancellationToken).ConfigureAwait(false);
            return;
        }

        await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long deadline = limit == Timeout.InfiniteTimeSpan || long.MaxValue - clock.Clock < limit.Ticks
                ? long.MaxValue
                : clock.Clock + limit.Ticks;
            await IdleAsync(cancellationToken).ConfigureAwait(false);
            while (!done())
            {
                if (!clock.RunNext(deadline))
                {
                    throw new TimeoutException(clock.TryPeekNextDueTime(out _)
                        ? $"The operation did not complete within {limit} of virtual time."
                        : "The operation cannot complete: no work is scheduled in virtual time and the thread pool is idle (a deadlock, or a wait on something outside the mock network).");
                }

                await IdleAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            turn.Release();
        }
    }

    public void Dispose() => turn.Dispose();

    private Task IdleAsync(CancellationToken cancellationToken) =>
        ThreadPoolQuiescence.WaitAsync(wallClock, idleTimeout, cancellationToken);

    private TestScheduler RequireVirtual() =>
        virtualScheduler ?? throw new InvalidOperationException(
            $"Advancing time needs a virtual clock: create the mock network with a {nameof(TestScheduler)} (this one runs on {scheduler.GetType().Name}).");
}
