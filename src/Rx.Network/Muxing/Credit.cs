using System.Runtime.ExceptionServices;

namespace Rx.Network.Muxing;

/// <summary>
/// A pool of credit handed out to asynchronous waiters: the send window of a yamux stream
/// (credit = bytes the peer lets us send) and the session's ACK backlog (credit = streams we may
/// open before the peer acknowledges them).
/// </summary>
/// <remarks>
/// <para>In the manner of dotnet/runtime's HTTP/2 <c>CreditManager</c>: <see cref="RequestAsync"/>
/// completes synchronously when credit is there and nobody is queued ahead; otherwise the request
/// waits, and <see cref="Release"/> wakes waiters strictly in arrival order, each getting as much
/// as it asked for or whatever is left (a partial grant), so a large request cannot starve behind
/// small ones nor overtake them.</para>
/// <para>A waiter can be cancelled (its place is given up, no credit is lost) and all waiters fail
/// at once with <see cref="Fault"/> (stream reset, session end); once faulted every later request
/// fails the same way. Thread-safe.</para>
/// </remarks>
internal sealed class Credit
{
    /// <summary>Credit never exceeds this: yamux windows are 32-bit, and a peer granting more is clamped rather than trusted.</summary>
    public const long MaxCredit = uint.MaxValue;

    private readonly Lock gate = new();
    private readonly Queue<Waiter> waiters = new();
    private long available;
    private ExceptionDispatchInfo? fault;

    /// <summary>Creates a pool holding <paramref name="initial"/> credit.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initial"/> is negative or above <see cref="MaxCredit"/>.</exception>
    public Credit(long initial)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initial);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initial, MaxCredit);
        available = initial;
    }

    /// <summary>Credit not yet handed out.</summary>
    public long Available
    {
        get
        {
            lock (gate)
            {
                return available;
            }
        }
    }

    /// <summary>Requests that are waiting.</summary>
    public int WaiterCount
    {
        get
        {
            lock (gate)
            {
                return waiters.Count(w => !w.Done);
            }
        }
    }

    /// <summary>Whether <see cref="Fault"/> was called.</summary>
    public bool IsFaulted
    {
        get
        {
            lock (gate)
            {
                return fault is not null;
            }
        }
    }

    /// <summary>
    /// Takes between 1 and <paramref name="desired"/> credit, waiting (in arrival order) while none
    /// is available.
    /// </summary>
    /// <param name="desired">The most credit wanted.</param>
    /// <param name="cancellationToken">Gives up the place in the queue.</param>
    /// <returns>The credit granted: at least 1, at most <paramref name="desired"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="desired"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before credit was granted.</exception>
    /// <remarks>After <see cref="Fault"/>, the returned task fails with the fault's exception.</remarks>
    public ValueTask<int> RequestAsync(int desired, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(desired, 1);
        Waiter waiter;
        lock (gate)
        {
            if (fault is not null)
            {
                return ValueTask.FromException<int>(fault.SourceException);
            }

            // Release drains the queue while credit lasts, so credit on hand means nobody waits.
            if (available > 0)
            {
                var granted = (int)Math.Min(desired, available);
                available -= granted;
                return new ValueTask<int>(granted);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<int>(cancellationToken);
            }

            TrimCancelledHead();
            waiter = new Waiter(this, desired);
            waiters.Enqueue(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((Waiter)state!).Owner.Cancel((Waiter)state, token),
                waiter);
            bool settled;
            lock (gate)
            {
                settled = waiter.Done;
                if (!settled)
                {
                    waiter.Registration = registration;
                }
            }

            // Granted, faulted or cancelled before the registration was stored: nobody else will dispose it.
            if (settled)
            {
                registration.Dispose();
            }
        }

        return new ValueTask<int>(waiter.Completion.Task);
    }

    /// <summary>Adds credit (a window update, a returned ACK slot) and wakes waiters in order.</summary>
    /// <param name="amount">Credit to add; the total is clamped to <see cref="MaxCredit"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative.</exception>
    /// <remarks>Ignored after <see cref="Fault"/>.</remarks>
    public void Release(long amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        if (amount == 0)
        {
            return;
        }

        List<(Waiter Waiter, int Granted, CancellationTokenRegistration Registration)>? woken = null;
        lock (gate)
        {
            if (fault is not null)
            {
                return;
            }

            available = Math.Min(MaxCredit, available + amount);
            while (available > 0 && waiters.TryDequeue(out var next))
            {
                if (next.Done)
                {
                    continue;
                }

                var granted = (int)Math.Min(next.Desired, available);
                available -= granted;
                next.Done = true;
                (woken ??= []).Add((next, granted, next.Registration));
            }
        }

        // Outside the lock: disposing a registration waits for a running cancellation callback,
        // which takes the lock.
        if (woken is not null)
        {
            foreach (var (waiter, granted, registration) in woken)
            {
                registration.Dispose();
                waiter.Completion.SetResult(granted);
            }
        }
    }

    /// <summary>
    /// Fails every waiting request and every later one with <paramref name="exception"/>. Only the
    /// first call counts.
    /// </summary>
    /// <param name="exception">Why no credit will come (a stream reset, the session's end).</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public void Fault(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        (Waiter Waiter, CancellationTokenRegistration Registration)[] failed;
        lock (gate)
        {
            if (fault is not null)
            {
                return;
            }

            fault = ExceptionDispatchInfo.Capture(exception);
            available = 0;
            failed = [.. waiters.Where(w => !w.Done).Select(w => (w, w.Registration))];
            foreach (var (waiter, _) in failed)
            {
                waiter.Done = true;
            }

            waiters.Clear();
        }

        foreach (var (waiter, registration) in failed)
        {
            registration.Dispose();
            waiter.Completion.SetException(exception);
        }
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (gate)
        {
            if (waiter.Done)
            {
                return;
            }

            // Skipped when reached; a cancelled head is dropped at once so the queue cannot grow
            // with abandoned requests while no credit comes.
            waiter.Done = true;
            TrimCancelledHead();
        }

        waiter.Completion.SetCanceled(token);
    }

    private void TrimCancelledHead()
    {
        while (waiters.TryPeek(out var head) && head.Done)
        {
            waiters.Dequeue();
        }
    }

    private sealed class Waiter(Credit owner, int desired)
    {
        /// <summary>Granted, cancelled or faulted; guarded by the owner's lock.</summary>
        public bool Done { get; set; }

        public Credit Owner { get; } = owner;

        public int Desired { get; } = desired;

        public TaskCompletionSource<int> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Guarded by the owner's lock.</summary>
        public CancellationTokenRegistration Registration { get; set; }
    }
}
