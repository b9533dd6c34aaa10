using Rx.Network.Errors;

namespace Rx.Network.Muxing;

internal sealed partial class YamuxSession
{
    private volatile bool terminated;

    /// <summary>
    /// Ends the session once: every stream fails with <paramref name="errorForStreams"/>; on a
    /// clean end queued frames are flushed, on an error they are dropped (their writers fail) and
    /// only the optional GoAway is sent; then the channel's output is completed. <paramref name="error"/> (null for a clean end) becomes the outcome of
    /// <see cref="Completion"/>. The read loop keeps draining the input until the peer closes;
    /// both loops get <see cref="YamuxOptions.CloseTimeout"/> before the channel is aborted.
    /// </summary>
    private void Terminate(Exception? error, MuxerClosedException errorForStreams, YamuxGoAwayCode? goAway)
    {
        YamuxStream[] victims;
        ActivePing? ping;
        TaskCompletionSource? streamsDone;
        lock (gate)
        {
            if (state == SessionState.Terminated)
            {
                return;
            }

            state = SessionState.Terminated;
            terminated = true;
            terminalError = error;
            streamError = errorForStreams;
            victims = [.. streams.Values];
            foreach (var stream in victims)
            {
                if (stream.IsOutbound)
                {
                    outboundCount--;
                }
                else
                {
                    inboundCount--;
                }

                stream.HoldsAckSlot = false;
            }

            streams.Clear();
            ping = activePing;
            activePing = null;
            streamsDone = allStreamsDone;
        }

        keepAliveTimer?.Dispose();
        ackBacklog.Fault(errorForStreams);
        acceptQueue.Writer.TryComplete(errorForStreams);
        foreach (var stream in victims)
        {
            stream.Abort(errorForStreams);
            stream.SignalCompleted();
        }

        ping?.Pong.TrySetException(errorForStreams);
        streamsDone?.TrySetResult();

        if (error is null)
        {
            // A clean end flushes what is queued (our GoAway, resets, ACKs, FINs); data of the
            // streams just aborted fails when the writer reaches it.
            StartWriterIf(outbound.Complete());
        }
        else
        {
            OutboundItem? last = goAway is { } code ? OutboundItem.ForFrame(YamuxHeader.GoAway((uint)code)) : null;
            Release(outbound.Drain(last, out var startWriter), errorForStreams);
            StartWriterIf(startWriter);
        }

        Observe(EnforceCloseDeadlineAsync(errorForStreams));
    }

    private async Task EnforceCloseDeadlineAsync(Exception reason)
    {
        try
        {
            await completion.Task.WaitAsync(options.CloseTimeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            channel.Abort(reason);
        }
        catch (Exception)
        {
            // The session's own outcome is reported by Completion.
        }
    }

    /// <summary>Both loops stopped: settle <see cref="Completion"/>.</summary>
    private void Completed()
    {
        // Loops only stop after a termination; this covers a bug rather than a path.
        Terminate(null, Error.MuxerClosed("The session ended.", remote: false, null), goAway: null);
        Exception? error;
        lock (gate)
        {
            error = terminalError;
        }

        if (error is null)
        {
            completion.TrySetResult();
        }
        else
        {
            completion.TrySetException(error);
        }
    }

    // A tick joins the ping in flight if there is one, so overlapping keep-alives share a ping;
    // each gives up after PingTimeout, so at most a few are ever pending.
    private void OnKeepAliveTick() => Observe(KeepAliveAsync());

    private async Task KeepAliveAsync()
    {
        var pong = StartPing(out var ping);
        try
        {
            await pong.WaitAsync(options.PingTimeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException e) when (ping is not null && IsPending(ping))
        {
            // A dead peer cannot read a GoAway: drop the connection.
            var error = new TimeoutException($"The remote peer did not answer a keep-alive ping within {options.PingTimeout}.", e);
            Terminate(error, Error.MuxerClosed("The connection timed out.", remote: false, null, error), goAway: null);
            channel.Abort(error);
        }
        catch (TimeoutException)
        {
            // The pong arrived as the timer fired (its waiter had not run yet): the peer is alive.
        }
        catch (MuxerClosedException)
        {
            // The session ended meanwhile.
        }
    }

    private async Task DeliverInboundAsync(IObserver<YamuxStream> observer, CancellationToken cancellationToken)
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
            Exception? error;
            lock (gate)
            {
                error = terminalError;
            }

            if (error is null)
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
