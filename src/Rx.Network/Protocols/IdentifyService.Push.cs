using Rx.Network.Identity;
using Rx.Network.Reactive;

namespace Rx.Network.Protocols;

public sealed partial class IdentifyService
{
    private readonly Lock pushGate = new();
    private ITimer? pushTimer;

    /// <summary>
    /// Sends our current protocols, listen addresses and versions now to every connected peer that
    /// serves identify push (as its identify said), at most <see cref="IdentifyOptions.PushConcurrency"/>
    /// at a time. Changes are pushed automatically; this is for pushing on demand.
    /// </summary>
    /// <param name="cancellationToken">Cancels the pushes still running.</param>
    /// <returns>How many peers accepted the push; failures are logged, not thrown.</returns>
    /// <exception cref="ObjectDisposedException">The service was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public async Task<int> PushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        var payload = Frame(LocalContent(connection: null));
        var targets = network.Peers
            .Where(SupportsPush)
            .Select(peer => network.ConnectionsToPeer(peer) is [var first, ..] ? first : null)
            .OfType<IConnection>()
            .ToArray();
        int accepted = 0;
        int next = -1;

        // A few workers pulling targets, started inline rather than with Parallel.ForEachAsync:
        // they hop only where the pushes themselves wait, so a virtual-time driver can order them.
        await Task.WhenAll(Enumerable.Range(0, Math.Min(Options.PushConcurrency, targets.Length)).Select(_ => WorkerAsync())).ConfigureAwait(false);
        return accepted;

        async Task WorkerAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < targets.Length)
            {
                linked.Token.ThrowIfCancellationRequested();
                if (await PushToAsync(targets[index], payload, linked.Token).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref accepted);
                }
            }
        }
    }

    private bool SupportsPush(PeerId peer) =>
        network.Peerstore.PeerInfo(peer)?.Protocols.Contains(PushProtocolId, StringComparer.Ordinal) == true;

    private async Task<bool> PushToAsync(IConnection connection, byte[] payload, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        IStream? stream = null;
        try
        {
            stream = await connection.NewStreamAsync([PushProtocolId], linked.Token).ConfigureAwait(false);
            await stream.WriteAsync(payload, linked.Token).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            stream?.Reset();
            logger.PushFailed(e, connection);
            return false;
        }
    }

    /// <summary>
    /// Called when our protocols or listen addresses change: pushes once <see cref="IdentifyOptions.PushDelay"/>
    /// after the first change, so a burst of changes makes one push.
    /// </summary>
    private void SchedulePush()
    {
        if (!Options.PushUpdates || IsDisposed)
        {
            return;
        }

        if (Options.PushDelay == TimeSpan.Zero)
        {
            _ = PushInBackgroundAsync();
            return;
        }

        lock (pushGate)
        {
            if (pushTimer is null && !IsDisposed)
            {
                pushTimer = time.CreateTimer(static state => ((IdentifyService)state!).OnPushDue(), this, Options.PushDelay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnPushDue()
    {
        StopPushTimer();
        _ = PushInBackgroundAsync();
    }

    private void StopPushTimer()
    {
        ITimer? timer;
        lock (pushGate)
        {
            (timer, pushTimer) = (pushTimer, null);
        }

        timer?.Dispose();
    }

    private async Task PushInBackgroundAsync()
    {
        // Off the thread that changed the protocols (it may hold the caller's locks).
        await scheduler.Hop();
        try
        {
            await PushAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            logger.PushRoundFailed(e);
        }
        catch (Exception)
        {
            // Stopped: nothing to report.
        }
    }
}
