using Rx.Network.Errors;

namespace Rx.Network.Muxing;

/// <summary>
/// The session's pings: one ping in flight at a time (concurrent callers share it), the smoothed
/// round trip its pongs measure (which window auto-tuning reads), and the keep-alive that pings
/// every <see cref="YamuxOptions.KeepAliveInterval"/> and drops the connection when a ping goes
/// unanswered for <see cref="YamuxOptions.PingTimeout"/>.
/// </summary>
/// <remarks>
/// Contract: <see cref="StartPing"/> queues a ping through the writer; the reader hands pongs to
/// <see cref="OnPong"/>; the session calls <see cref="StopKeepAlive"/> and <see cref="Fail"/>
/// when it ends, after which pings fail with the session's stream error. A keep-alive timeout
/// ends the session through <see cref="YamuxSession.OnKeepAliveTimeout"/>.
/// </remarks>
internal sealed class YamuxPings
{
    private readonly YamuxSession session;
    private readonly YamuxWriter writer;
    private readonly YamuxOptions options;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly ITimer? keepAliveTimer;

    private ActivePing? activePing;
    private uint nextPingId;
    private long rttTicks;
    private long minRttTicks;
    private MuxerClosedException? failure;

    /// <summary>Creates the pings of <paramref name="session"/> and starts its keep-alive timer when one is configured.</summary>
    /// <param name="session">The session a keep-alive timeout ends.</param>
    /// <param name="writer">Where pings go.</param>
    /// <param name="options">The keep-alive interval and ping timeout.</param>
    /// <param name="time">The clock for round trips and the keep-alive timer.</param>
    public YamuxPings(YamuxSession session, YamuxWriter writer, YamuxOptions options, TimeProvider time)
    {
        this.session = session;
        this.writer = writer;
        this.options = options;
        this.time = time;
        if (options.KeepAliveInterval is { } interval)
        {
            keepAliveTimer = time.CreateTimer(static s => ((YamuxPings)s!).OnKeepAliveTick(), this, interval, interval);
        }
    }

    /// <summary>The smoothed round trip measured by pings; <see cref="TimeSpan.Zero"/> until the first pong.</summary>
    public TimeSpan Rtt => TimeSpan.FromTicks(Interlocked.Read(ref rttTicks));

    /// <summary>
    /// The lowest round trip any pong measured; <see cref="TimeSpan.Zero"/> until the first pong.
    /// The path's own delay, without the queues a busy connection builds: what window auto-tuning
    /// reads, so that bytes a bulk stream keeps in flight do not inflate the round trip they are
    /// judged against (and through it the window, and the queue again).
    /// </summary>
    public TimeSpan MinRtt => TimeSpan.FromTicks(Interlocked.Read(ref minRttTicks));

    /// <summary>Measures the round trip with a ping, or joins the one in flight.</summary>
    /// <param name="cancellationToken">Stops waiting (the ping stays in flight for others).</param>
    /// <returns>The round trip.</returns>
    /// <exception cref="MuxerClosedException">The session ended before the pong arrived.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken) => StartPing(out _).WaitAsync(cancellationToken);

    /// <summary>Sends a ping, or joins the one in flight; <paramref name="ping"/> is that ping (null when the session has ended).</summary>
    private Task<TimeSpan> StartPing(out ActivePing? ping)
    {
        lock (gate)
        {
            ping = null;
            if (failure is not null)
            {
                return Task.FromException<TimeSpan>(failure);
            }

            if (activePing is null)
            {
                activePing = new ActivePing(nextPingId++, time.GetTimestamp());
                if (!writer.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(activePing.Id, response: false))))
                {
                    return Task.FromException<TimeSpan>(session.CurrentStreamError());
                }
            }

            ping = activePing;
            return activePing.Pong.Task;
        }
    }

    /// <summary>A pong arrived: settles the ping in flight if it answers it, and updates the round trip.</summary>
    public void OnPong(uint id)
    {
        ActivePing? answered = null;
        lock (gate)
        {
            if (activePing?.Id == id)
            {
                answered = activePing;
                activePing = null;
            }
        }

        if (answered is not null)
        {
            var rtt = time.GetElapsedTime(answered.Started);
            var previous = Interlocked.Read(ref rttTicks);

            // Smoothed as go-yamux does: the mean of the previous estimate and the new sample.
            Interlocked.Exchange(ref rttTicks, previous == 0 ? rtt.Ticks : (previous + rtt.Ticks) / 2);
            var lowest = Interlocked.Read(ref minRttTicks);
            if (lowest == 0 || rtt.Ticks < lowest)
            {
                // Pongs are handled by the one reader: no other writer races this.
                Interlocked.Exchange(ref minRttTicks, Math.Max(rtt.Ticks, 1));
            }

            answered.Pong.TrySetResult(rtt);
        }
    }

    /// <summary>Stops the keep-alive timer (the session ended).</summary>
    public void StopKeepAlive() => keepAliveTimer?.Dispose();

    /// <summary>The session ended: the ping in flight and every later one fail with <paramref name="error"/>.</summary>
    public void Fail(MuxerClosedException error)
    {
        ActivePing? ping;
        lock (gate)
        {
            failure ??= error;
            ping = activePing;
            activePing = null;
        }

        ping?.Pong.TrySetException(error);
    }

    /// <summary>Whether <paramref name="ping"/> is still waiting for its pong (<see cref="OnPong"/> clears it, under the lock, before anything else it does with the pong).</summary>
    private bool IsPending(ActivePing ping)
    {
        lock (gate)
        {
            return ReferenceEquals(activePing, ping);
        }
    }

    // A tick joins the ping in flight if there is one, so overlapping keep-alives share a ping;
    // each gives up after PingTimeout, so at most a few are ever pending.
    private void OnKeepAliveTick() => session.Observe(KeepAliveAsync());

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
            session.OnKeepAliveTimeout(new TimeoutException($"The remote peer did not answer a keep-alive ping within {options.PingTimeout}.", e));
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

    private sealed class ActivePing(uint id, long started)
    {
        public uint Id { get; } = id;

        public long Started { get; } = started;

        public TaskCompletionSource<TimeSpan> Pong { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
