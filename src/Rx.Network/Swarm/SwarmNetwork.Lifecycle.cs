using Rx.Network.Transports;
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
            IRawListener[] open;
            lock (listenersGate)
            {
                open = listeners.ToArray();
            }

            foreach (var listener in open)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }

            using (var grace = new CancellationTokenSource(options.ShutdownTimeout, options.TimeProvider))
            {
                var closing = Connections.Cast<SwarmConnection>().Select(c => CloseQuietlyAsync(c, grace.Token)).ToArray();
                await Task.WhenAll(closing).ConfigureAwait(false);
            }

            // Let the listeners' loops publish their ListenClosed before the stream completes.
            Task[] loops;
            lock (listenersGate)
            {
                loops = acceptLoops.ToArray();
            }

            await Task.WhenAll(loops).ConfigureAwait(false);
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
            CloseStatuses();
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
