namespace Rx.Network.Protocols;

/// <summary>
/// One request's cancellation: its timeout on the injected clock, linked with the caller's token
/// and the service's shutdown, and cancellable on demand (the remote reset the stream).
/// </summary>
/// <remarks>
/// A linked source cannot take a <see cref="TimeProvider"/> (its <c>CancelAfter</c> uses the system
/// clock), hence the separate timer source; <see cref="Expired"/> tells a timeout apart from the
/// other causes.
/// </remarks>
internal sealed class RequestDeadline : IDisposable
{
    private readonly CancellationTokenSource timer;
    private readonly CancellationTokenSource linked;

    public RequestDeadline(TimeSpan timeout, TimeProvider time, CancellationToken first, CancellationToken second)
    {
        timer = new CancellationTokenSource(timeout, time);
        linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, first, second);
        Token = linked.Token;
    }

    /// <summary>Canceled by any cause; captured, so it stays readable after disposal.</summary>
    public CancellationToken Token { get; }

    /// <summary>Whether the timeout (rather than another cause) fired.</summary>
    public bool Expired => timer.IsCancellationRequested;

    /// <summary>Cancels now; harmless after disposal (the request is already over).</summary>
    public void Cancel()
    {
        try
        {
            linked.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        linked.Dispose();
        timer.Dispose();
    }
}
