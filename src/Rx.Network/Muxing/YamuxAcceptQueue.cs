using System.Reactive.Linq;
using System.Threading.Channels;
using Rx.Network.Errors;

namespace Rx.Network.Muxing;

/// <summary>
/// The streams the peer opened that the application has not taken yet: a bounded backlog of
/// <see cref="YamuxOptions.AcceptBacklog"/> streams, taken one at a time by <see cref="AcceptAsync"/>
/// or pushed to the observers of <see cref="Streams"/>. Taking a stream acknowledges it (ACK on
/// accept, ADR 0005).
/// </summary>
/// <remarks>
/// Contract: the stream table adds with <see cref="TryAdd"/> (false when the backlog is full: the
/// stream is refused); the session resets what is left on a graceful close
/// (<see cref="ResetUnaccepted"/>) and completes the backlog when it ends (<see cref="Complete"/>),
/// after which takers fail with the session's stream error and observers complete (clean end) or
/// error.
/// </remarks>
internal sealed class YamuxAcceptQueue
{
    private readonly YamuxSession session;
    private readonly Channel<YamuxStream> queue;

    /// <summary>Creates the accept backlog of <paramref name="session"/>.</summary>
    /// <param name="session">The session whose end completes the backlog.</param>
    /// <param name="backlog">The most streams waiting.</param>
    public YamuxAcceptQueue(YamuxSession session, int backlog)
    {
        this.session = session;
        queue = Channel.CreateBounded<YamuxStream>(new BoundedChannelOptions(backlog)
        {
            FullMode = BoundedChannelFullMode.Wait,
        });
        Streams = Observable.Create<YamuxStream>(DeliverAsync).Publish().RefCount();
    }

    /// <summary>
    /// Inbound streams as a hot sequence: while at least one observer is subscribed, streams are
    /// accepted and pushed to all current observers; streams arriving with no observer wait in the
    /// backlog (for a later subscriber or <see cref="AcceptAsync"/>). Each stream is delivered
    /// once. Completes when the session ends cleanly, errors otherwise.
    /// </summary>
    public IObservable<YamuxStream> Streams { get; }

    /// <summary>Adds a stream the peer opened; <see langword="false"/> when the backlog is full or completed.</summary>
    public bool TryAdd(YamuxStream stream) => queue.Writer.TryWrite(stream);

    /// <summary>Takes the next stream, waiting for one, and acknowledges it (ACK) to the peer.</summary>
    /// <param name="cancellationToken">Stops waiting; no stream is lost.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="MuxerClosedException">The session ended (cleanly or not).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async ValueTask<YamuxStream> AcceptAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            YamuxStream stream;
            try
            {
                stream = await queue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                throw session.CurrentStreamError();
            }

            if (stream.TryMarkAccepted())
            {
                return stream;
            }
        }
    }

    /// <summary>Resets every stream still waiting (a graceful close refuses what was never accepted).</summary>
    public void ResetUnaccepted()
    {
        while (queue.Reader.TryRead(out var unaccepted))
        {
            unaccepted.Reset();
        }
    }

    /// <summary>The session ended: no stream is added any more, and takers fail once the backlog is empty.</summary>
    public void Complete(MuxerClosedException error) => queue.Writer.TryComplete(error);

    private async Task DeliverAsync(IObserver<YamuxStream> observer, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var stream = await AcceptAsync(cancellationToken).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    // The last observer left between acceptance and delivery: nobody owns the stream.
                    stream.Reset();
                    return;
                }

                observer.OnNext(stream);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (MuxerClosedException e)
        {
            if (session.TerminalError is null)
            {
                observer.OnCompleted();
            }
            else
            {
                observer.OnError(e);
            }
        }
    }
}
