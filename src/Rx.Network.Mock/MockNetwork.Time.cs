using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock;

public sealed partial class MockNetwork
{
    /// <summary>
    /// Waits until the work in flight has run to a standstill — every task of every peer parked on
    /// a link, a timer or a signal — without moving the clock: "run until idle". Use it before
    /// asserting that something has not happened yet.
    /// </summary>
    /// <remarks>
    /// Idle means the thread pool has nothing queued or running. Work the test itself runs on its
    /// own synchronization context is not seen: start the code under test on the pool (through
    /// <see cref="RunAsync{T}(Func{Task{T}}, TimeSpan?, CancellationToken)"/>, a stream handler, or
    /// <see cref="Task.Run(Func{Task})"/>).
    /// </remarks>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the network is idle.</returns>
    /// <exception cref="TimeoutException">The pool stayed busy longer than <see cref="MockNetworkOptions.IdleTimeout"/> of real time.</exception>
    public Task RunUntilIdleAsync(CancellationToken cancellationToken = default) => driver.SettleAsync(cancellationToken);

    /// <summary>
    /// Moves virtual time forward by <paramref name="time"/>, running every piece of scheduled work
    /// due by then in order, each at its own due time, and the work it causes before the next.
    /// </summary>
    /// <param name="time">How far.</param>
    /// <param name="cancellationToken">Cancels between steps.</param>
    /// <returns>A task that completes at the new time, with the network idle.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="time"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">Time is real (the scheduler is not a <see cref="TestScheduler"/>).</exception>
    /// <exception cref="TimeoutException">The pool stayed busy longer than <see cref="MockNetworkOptions.IdleTimeout"/> between steps.</exception>
    public Task AdvanceByAsync(TimeSpan time, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(time, TimeSpan.Zero);
        return driver.AdvanceByAsync(time, cancellationToken);
    }

    /// <summary>Moves virtual time forward to <paramref name="time"/>; see <see cref="AdvanceByAsync"/>.</summary>
    /// <param name="time">The time to reach.</param>
    /// <param name="cancellationToken">Cancels between steps.</param>
    /// <returns>A task that completes at <paramref name="time"/>, with the network idle.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="time"/> is in the past.</exception>
    /// <exception cref="InvalidOperationException">Time is real (the scheduler is not a <see cref="TestScheduler"/>).</exception>
    /// <exception cref="TimeoutException">The pool stayed busy longer than <see cref="MockNetworkOptions.IdleTimeout"/> between steps.</exception>
    public Task AdvanceToAsync(DateTimeOffset time, CancellationToken cancellationToken = default) =>
        driver.AdvanceToAsync(time.UtcTicks, cancellationToken);

    /// <summary>
    /// In virtual time, lets the work in flight settle, runs <paramref name="operation"/> on the
    /// thread pool and moves the clock one step at a time until it completes; in real time, runs it
    /// on the pool and waits for it.
    /// </summary>
    /// <param name="operation">The operation, e.g. <c>() =&gt; PingService.PingAsync(a, b.LocalPeer, net.TimeProvider)</c>.</param>
    /// <param name="timeout">The most virtual time it may take (real time on a real-time scheduler); default <see cref="MockNetworkOptions.OperationTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait (not the operation).</param>
    /// <returns>The operation's outcome.</returns>
    /// <typeparam name="T">The operation's result type.</typeparam>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is null.</exception>
    /// <exception cref="TimeoutException">
    /// The operation did not complete within <paramref name="timeout"/>, or it cannot: nothing is
    /// scheduled and the pool is idle, yet it waits (it waits on something outside the mock network).
    /// </exception>
    public async Task<T> RunAsync<T>(Func<Task<T>> operation, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);

        // Started once what the caller set off before (an unlink, a write) has played out, and on
        // the pool, where idle detection sees its continuations (a test's own context would hide them).
        await SettleIfVirtualAsync(cancellationToken).ConfigureAwait(false);
        var task = Task.Run(operation, CancellationToken.None);
        await driver.RunUntilAsync(() => task.IsCompleted, task, timeout ?? Options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        return await task.ConfigureAwait(false);
    }

    /// <summary>Like <see cref="RunAsync{T}(Func{Task{T}}, TimeSpan?, CancellationToken)"/>, for an operation without a result.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="timeout">The most virtual time it may take; default <see cref="MockNetworkOptions.OperationTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait (not the operation).</param>
    /// <returns>A task that completes with the operation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is null.</exception>
    /// <exception cref="TimeoutException">The operation did not, or cannot, complete within <paramref name="timeout"/>.</exception>
    public async Task RunAsync(Func<Task> operation, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await SettleIfVirtualAsync(cancellationToken).ConfigureAwait(false);
        var task = Task.Run(operation, CancellationToken.None);
        await driver.RunUntilAsync(() => task.IsCompleted, task, timeout ?? Options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        await task.ConfigureAwait(false);
    }

    // In real time other work (a transfer under way) may keep the pool busy for as long as it likes.
    private Task SettleIfVirtualAsync(CancellationToken cancellationToken) =>
        driver.IsVirtual ? driver.SettleAsync(cancellationToken) : Task.CompletedTask;
}
