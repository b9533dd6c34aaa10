using Microsoft.Extensions.Logging;
using Rx.Network.Identity;

namespace Rx.Network.Swarm;

internal sealed partial class SwarmNetwork
{
    private readonly HandlerSlot<Action<IConnection, CancellationToken>> connectionHandler = new();

    /// <inheritdoc/>
    public IDisposable SetStreamHandler(string protocol, Func<IStream, Task> handler) => Router.SetHandler(protocol, handler);

    /// <inheritdoc/>
    public IDisposable SetStreamHandler(string protocol, Func<IStream, CancellationToken, Task> handler) => Router.SetHandler(protocol, handler);

    /// <inheritdoc/>
    public IObservable<IStream> Streams(string protocol) => Router.Streams(protocol);

    /// <inheritdoc/>
    public IDisposable SetConnectionHandler(Action<IConnection> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return connectionHandler.Set((connection, _) => handler(connection));
    }

    /// <inheritdoc/>
    public IDisposable SetConnectionHandler(Action<IConnection, CancellationToken> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return connectionHandler.Set(handler);
    }

    /// <inheritdoc/>
    public Task<IStream> NewStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken = default) =>
        StreamOpening.DialAndOpenAsync(this, peer, protocols, cancellationToken);

    /// <inheritdoc/>
    public void OnStreamOpened(SwarmStream stream) => events.Publish(new StreamOpened(Now, stream));

    /// <inheritdoc/>
    public void OnStreamClosed(SwarmStream stream, Exception? error) => events.Publish(new StreamClosed(Now, stream, error));

    /// <inheritdoc/>
    public void OnInboundStream(SwarmStream stream)
    {
        Func<IStream, CancellationToken, Task>? handler;
        try
        {
            if (!Router.TryDispatch(stream, out handler))
            {
                logger.NoHandler(stream);
                stream.Reset();
                return;
            }
        }
        catch (Exception e)
        {
            // A Streams() subscriber threw while taking the stream: nobody owns it.
            logger.HandlerFailed(e, stream.Protocol, stream.Id);
            stream.Reset();
            return;
        }

        if (handler is not null)
        {
            _ = RunHandlerAsync(stream, handler);
        }
    }

    private async Task RunHandlerAsync(SwarmStream stream, Func<IStream, CancellationToken, Task> handler)
    {
        // Off the connection's accept path: a slow handler delays only its own stream.
        await scheduler.Hop();
        try
        {
            await handler(stream, shutdown.Token).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.HandlerFailed(e, stream.Protocol, stream.Id);
            stream.Reset();
        }
    }

    private void InvokeConnectionHandler(SwarmConnection connection)
    {
        var handler = connectionHandler.Handler;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(connection, shutdown.Token);
        }
        catch (Exception e)
        {
            logger.ConnectionHandlerThrew(e, connection);
        }
    }
}
