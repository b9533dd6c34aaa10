using Rx.Network.Mock.Time;
namespace Rx.Network.Mock;

public sealed partial class MockNetwork
{
    /// <summary>
    /// Runs <paramref name="operation"/> and returns its outcome. In virtual time: started on the
    /// calling thread, then the clock moves from one due item to the next until it completes (at
    /// most <paramref name="timeout"/> of virtual time). In real time: awaited (at most
    /// <paramref name="timeout"/> of real time).
    /// </summary>
    /// <param name="operation">The operation, e.g. <c>() =&gt; PingService.PingAsync(a, b.LocalPeer, net.TimeProvider)</c>.</param>
    /// <param name="timeout">The time limit; <see cref="MockNetworkOptions.OperationTimeout"/> when null.</param>
    /// <param name="cancellationToken">Cancels the wait in real time (virtual time runs on the calling thread and is bounded by <paramref name="timeout"/>).</param>
    /// <returns>The operation's result.</returns>
    /// <typeparam name="T">The result type.</typeparam>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is null.</exception>
    /// <exception cref="TimeoutException">The operation did not complete in time, or (virtual time) cannot: nothing is scheduled and it still waits, or code of the run kept running on other threads for <see cref="MockNetworkOptions.OperationTimeout"/> of real time.</exception>
    /// <exception cref="InvalidOperationException">Virtual time is already being driven (from inside the work it runs, or by another thread).</exception>
    public async Task<T> RunAsync<T>(Func<Task<T>> operation, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var limit = timeout ?? Options.OperationTimeout;
        if (driver is null)
        {
            return await Task.Run(operation, cancellationToken).WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        Task<T>? task = null;
        driver.RunUntil(() => task = operation(), () => task!.IsCompleted, limit);
        ThrowIfFaulted();
        return await task!.ConfigureAwait(false);
    }

    /// <summary>Like <see cref="RunAsync{T}(Func{Task{T}}, TimeSpan?, CancellationToken)"/>, for an operation without a result.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="timeout">The time limit; <see cref="MockNetworkOptions.OperationTimeout"/> when null.</param>
    /// <param name="cancellationToken">Cancels the wait in real time.</param>
    /// <returns>A task that completes with the operation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is null.</exception>
    /// <exception cref="TimeoutException">The operation did not, or cannot, complete in time.</exception>
    /// <exception cref="InvalidOperationException">Virtual time is already being driven (from inside the work it runs, or by another thread).</exception>
    public Task RunAsync(Func<Task> operation, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return RunAsync(
            async () =>
            {
                await operation().ConfigureAwait(false);
                return true;
            },
            timeout,
            cancellationToken);
    }

    /// <summary>
    /// Moves virtual time forward by <paramref name="time"/>, running everything due by then in
    /// order, each at its own due time, and all the work it sets off before the next.
    /// </summary>
    /// <param name="time">How far.</param>
    /// <param name="cancellationToken">Not observed while running (virtual time runs to completion on the calling thread); checked before.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="time"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">Time is real, or virtual time is already being driven.</exception>
    public Task AdvanceByAsync(TimeSpan time, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(time, TimeSpan.Zero);
        var clock = RequireVirtual();
        return AdvanceToTicksAsync(long.MaxValue - clock.Clock.Ticks < time.Ticks ? long.MaxValue : clock.Clock.Ticks + time.Ticks, cancellationToken);
    }

    /// <summary>Moves virtual time forward to <paramref name="time"/>; see <see cref="AdvanceByAsync"/>.</summary>
    /// <param name="time">The time to reach.</param>
    /// <param name="cancellationToken">Checked before running.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="time"/> is in the past.</exception>
    /// <exception cref="InvalidOperationException">Time is real, or virtual time is already being driven.</exception>
    public Task AdvanceToAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(time.UtcTicks, RequireVirtual().Clock.Ticks, nameof(time));
        return AdvanceToTicksAsync(time.UtcTicks, cancellationToken);
    }

    /// <summary>Runs the work that is ready without moving the clock (virtual time); nothing in real time.</summary>
    /// <param name="cancellationToken">Checked before running.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="InvalidOperationException">Virtual time is already being driven.</exception>
    public Task RunUntilIdleAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (driver is not null)
        {
            driver.RunUntilIdle();
            ThrowIfFaulted();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs <paramref name="create"/> as code of the network's run (virtual time): what it starts
    /// (a production peer's loops, timers and continuations) carries the run, so the driver waits for
    /// it wherever it goes, even when the caller is not driving.
    /// </summary>
    internal T InRun<T>(Func<T> create)
    {
        if (driver is null)
        {
            return create();
        }

        var outer = RunWatch.Current;
        RunWatch.Current = driver;
        try
        {
            return create();
        }
        finally
        {
            RunWatch.Current = outer;
        }
    }

    /// <summary>Runs <paramref name="action"/> as part of virtual time (inline when already on the driver), or directly in real time.</summary>
    internal void Drive(Action action)
    {
        if (driver is null || driver.OnDriverThread)
        {
            action();
            return;
        }

        if (driver.DrivenElsewhere)
        {
            // Called by code of the run on another thread (ADR 0011 §4): the driver runs it, in order.
            driver.Post(action);
            return;
        }

        driver.RunUntil(action, static () => true, Timeout.InfiniteTimeSpan);
        ThrowIfFaulted();
    }

    private Task AdvanceToTicksAsync(long ticks, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        driver!.AdvanceTo(ticks);
        ThrowIfFaulted();
        return Task.CompletedTask;
    }

    private Time.VirtualTimeDriver RequireVirtual() =>
        driver ?? throw new InvalidOperationException(
            $"Moving time needs a virtual clock: create the mock network with a virtual-time scheduler (Microsoft.Reactive.Testing's TestScheduler, a HistoricalScheduler); this one runs on {Scheduler.GetType().Name}.");
}
