namespace Rx.Network.Reactive;

/// <summary>
/// A queued waiter's cancellation registration, disposed exactly once whichever comes first: the
/// waiter being settled, or the registration being made after it was (the race of
/// <see cref="AsyncGate"/> and <see cref="SharedOutcome{T}"/> waiters).
/// </summary>
internal sealed class WaitRegistration
{
    private readonly Lock gate = new();
    private CancellationTokenRegistration registration;
    private bool settled;

    /// <summary>Calls <paramref name="onCanceled"/> with <paramref name="state"/> when <paramref name="cancellationToken"/> is canceled, until settled.</summary>
    public void Watch(Action<object?, CancellationToken> onCanceled, object state, CancellationToken cancellationToken)
    {
        var watching = cancellationToken.UnsafeRegister(onCanceled, state);
        lock (gate)
        {
            if (!settled)
            {
                registration = watching;
                return;
            }
        }

        // Settled meanwhile: nobody else will dispose it.
        watching.Dispose();
    }

    /// <summary>The wait is over: stop watching the token.</summary>
    public void Settle()
    {
        CancellationTokenRegistration watching;
        lock (gate)
        {
            settled = true;
            (watching, registration) = (registration, default);
        }

        watching.Dispose();
    }
}
