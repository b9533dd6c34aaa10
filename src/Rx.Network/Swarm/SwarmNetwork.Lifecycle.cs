using Microsoft.Extensions.Logging;

namespace Rx.Network.Swarm;

internal sealed partial class SwarmNetwork
{
    private readonly List<IDisposable> services = [];
    private int disposing;

    /// <summary>Ties a service's lifetime to the network's.</summary>
    internal void AddService(IDisposable service)
    {
        lock (services)
        {
            services.Add(service);
        }
    }

    /// <summary>
    /// Shuts down gracefully: stops listening, cancels dials, closes every connection (GoAway, then
    /// a bounded wait of <see cref="NetworkOptions.ShutdownTimeout"/> for open streams), aborts
    /// what is left, completes the event stream and <see cref="Completion"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposing, 1) == 1)
        {
            await completion.Task.ConfigureAwait(false);
            return;
        }

        try
        {
            await shutdown.CancelAsync().ConfigureAwait(false);
            await listeners.CloseListenersAsync().ConfigureAwait(false);

            using (var grace = new CancellationTokenSource(options.ShutdownTimeout, options.TimeProvider))
            {
                var closing = registry.Connections.Select(c => CloseQuietlyAsync(c, grace.Token)).ToArray();
                await Task.WhenAll(closing).ConfigureAwait(false);
            }

            // Let the listeners' loops publish their ListenClosed before the stream completes.
            await listeners.WhenLoopsEnded().ConfigureAwait(false);
        }
        finally
        {
            lock (services)
            {
                services.ForEach(s => s.Dispose());
            }

            Router.Complete();
            events.Complete();
            resources.Dispose();
            registry.Dispose();
            if (ownsPeerstore && Peerstore is IDisposable disposable)
            {
                disposable.Dispose();
            }

            completion.TrySetResult();
        }
    }

    private async Task CloseQuietlyAsync(SwarmConnection connection, CancellationToken grace)
    {
        try
        {
            await connection.CloseAsync(grace).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.ShutdownCloseFailed(e, connection);
        }
    }
}
