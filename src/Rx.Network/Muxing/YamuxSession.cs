using System.Reactive.Linq;
using System.Threading.Channels;
using Rx.Network.Errors;
using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Muxing;

/// <summary>
/// A yamux session (<c>/yamux/1.0.0</c>, libp2p/specs yamux/README.md) over a secured
/// <see cref="IDuplexChannel"/>: many <see cref="YamuxStream"/>s multiplexed on one connection,
/// each with its own flow control.
/// </summary>
/// <remarks>
/// <para>One read loop consumes the channel's input: it parses frame headers across chunk
/// boundaries, copies payload into the addressed stream's buffer and never waits for a stream's
/// reader (each stream's receive window bounds its buffer; a peer exceeding it ends the session
/// with GoAway(protocol error)). One writer sends every frame to the channel's output, awaiting
/// each send, so backpressure from the connection reaches stream writers; writers wait until
/// their frame was handed over, so a write either goes out in order or its caller gets an
/// exception.</para>
/// <para>Stream ids: the dialer (<c>isInitiator</c>) opens odd ids, the listener even ones; a peer
/// opening an id of our parity, reusing an open id, or sending stream frames on id 0 (or session
/// frames elsewhere) violates the protocol. Inbound streams are acknowledged when the application
/// accepts them (as go-yamux does), so the peer's ACK backlog tracks our accept rate.</para>
/// <para>Ending: <see cref="CloseAsync"/> sends GoAway(normal), lets open streams finish (up to
/// <see cref="YamuxOptions.CloseTimeout"/>) and closes the channel's output. A GoAway(normal) from
/// the peer only stops new outbound streams; any other code ends the session. The channel's input
/// ending ends the session cleanly (streams still open fail with <see cref="MuxerClosedException"/>).
/// <see cref="Completion"/> faults when the session ended on an error.</para>
/// </remarks>
internal sealed partial class YamuxSession : IAsyncDisposable
{
    /// <summary>
    /// The most frames the peer can make us queue (pongs, refusals of its streams) while it does not
    /// read what we send; beyond it the peer is flooding us and the session ends.
    /// </summary>
    internal const int MaxProvokedFrames = 1024;

    private readonly IDuplexChannel channel;
    private readonly YamuxOptions options;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly Dictionary<uint, YamuxStream> streams = [];
    private readonly Channel<YamuxStream> acceptQueue;
    private readonly Credit ackBacklog;
    private readonly ConnectionScope? resources;

    /// <summary>Credit added to <see cref="ackBacklog"/> at the first acknowledgement; 0 once added.</summary>
    private int ackBacklogWidening;
    private readonly OutboundQueue outbound = new();

    // Set once the writer has finished for good: the queue drained after the session's end, or a send failed.
    private readonly TaskCompletionSource writerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer? keepAliveTimer;

    private uint nextStreamId;
    private int inboundCount;
    private int outboundCount;
    private int provokedFrames;
    private SessionState state;
    private uint? remoteGoAway;
    private Exception? terminalError;
    private MuxerClosedException? streamError;
    private TaskCompletionSource? allStreamsDone;
    private ActivePing? activePing;
    private uint nextPingId;
    private long rttTicks;

    /// <summary>Starts a session over <paramref name="channel"/>; the session owns the channel from now on.</summary>
    /// <param name="channel">The secured connection.</param>
    /// <param name="isInitiator"><see langword="true"/> on the dialer's side (odd stream ids).</param>
    /// <param name="options">Settings; <see cref="YamuxOptions.Default"/> when null.</param>
    /// <param name="time">The clock for round trips, auto-tuning, keep-alive and close timeouts; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="resources">
    /// The connection's resource scope: each stream reserves its count and initial receive window
    /// there when it opens, and each growth of its window; a refused inbound stream is reset with
    /// <see cref="ResourceLimitExceededException.StreamResetCode"/>, a refused growth leaves the
    /// window as it is. Null reserves nothing (only the session's own limits apply).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="channel"/> is null.</exception>
    /// <exception cref="ArgumentException">The options contradict each other.</exception>
    public YamuxSession(IDuplexChannel channel, bool isInitiator, YamuxOptions? options = null, TimeProvider? time = null, ConnectionScope? resources = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        options ??= YamuxOptions.Default;
        options.Validate();
        this.channel = channel;
        this.options = options;
        this.resources = resources;
        writerStart = new WriterStart(this);
        this.time = time ?? TimeProvider.System;
        IsInitiator = isInitiator;
        nextStreamId = isInitiator ? 1u : 2u;
        // Slow start: a small backlog until the peer acknowledges its first stream (see
        // YamuxOptions.InitialAckBacklog), then the full one.
        ackBacklog = new Credit(Math.Min(options.InitialAckBacklog, options.MaxAckBacklog));
        ackBacklogWidening = options.MaxAckBacklog - Math.Min(options.InitialAckBacklog, options.MaxAckBacklog);
        acceptQueue = Channel.CreateBounded<YamuxStream>(new BoundedChannelOptions(options.AcceptBacklog)
        {
            FullMode = BoundedChannelFullMode.Wait,
        });
        InboundStreams = Observable.Create<YamuxStream>(DeliverInboundAsync).Publish().RefCount();

        // The timer exists before the loops start: a loop that ends at once must find it to dispose it.
        if (options.KeepAliveInterval is { } interval)
        {
            keepAliveTimer = this.time.CreateTimer(static s => ((YamuxSession)s!).OnKeepAliveTick(), this, interval, interval);
        }

        var readLoop = Task.Run(RunReadLoopAsync);
        _ = Task.WhenAll(readLoop, writerStopped.Task).ContinueWith(
            _ => Completed(),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        if (options.PingOnStart)
        {
            Observe(PingAsync());
        }
    }

    private enum SessionState
    {
        Open,
        Closing,
        Terminated,
    }

    /// <summary>Whether we dialed (odd stream ids).</summary>
    public bool IsInitiator { get; }

    /// <summary>
    /// Completes when the session has ended and both loops stopped: successfully after a graceful
    /// close or the remote's clean close; faulted with the cause otherwise
    /// (<see cref="WireProtocolViolationException"/>, a <see cref="MuxerClosedException"/> for a remote
    /// GoAway with an error code, <see cref="TimeoutException"/> for a failed keep-alive, the
    /// channel's failure, or the reason given to <see cref="Abort"/>).
    /// </summary>
    public Task Completion => completion.Task;

    /// <summary>
    /// Inbound streams as a hot sequence: while at least one observer is subscribed, streams are
    /// accepted and pushed to all current observers; streams arriving with no observer wait in the
    /// accept backlog (for a later subscriber or <see cref="AcceptAsync"/>). Each stream is
    /// delivered once. Completes when the session ends cleanly, errors otherwise.
    /// </summary>
    public IObservable<YamuxStream> InboundStreams { get; }

    /// <summary>Open streams (inbound waiting to be accepted included).</summary>
    public int StreamCount
    {
        get
        {
            lock (gate)
            {
                return streams.Count;
            }
        }
    }

    /// <summary>Open streams the peer opened (waiting to be accepted included).</summary>
    public int InboundStreamCount
    {
        get
        {
            lock (gate)
            {
                return inboundCount;
            }
        }
    }

    /// <summary>Open streams we opened (and opens in progress).</summary>
    public int OutboundStreamCount
    {
        get
        {
            lock (gate)
            {
                return outboundCount;
            }
        }
    }

    /// <summary>Frames waiting for the writer (for tests and diagnostics).</summary>
    internal int QueuedFrameCount => outbound.Count;

    /// <summary>The smoothed round trip measured by pings; <see cref="TimeSpan.Zero"/> until the first pong.</summary>
    public TimeSpan Rtt => TimeSpan.FromTicks(Interlocked.Read(ref rttTicks));

    /// <summary>
    /// Opens a stream. The SYN is queued at once and the stream is usable at once (data may follow
    /// the SYN before the peer acknowledges it, spec "Opening a stream").
    /// </summary>
    /// <param name="cancellationToken">Gives up waiting for an ACK backlog place.</param>
    /// <returns>The new stream.</returns>
    /// <remarks>
    /// When <see cref="YamuxOptions.MaxAckBacklog"/> streams still await the peer's ACK, waits (in
    /// order) for one to be acknowledged or closed.
    /// </remarks>
    /// <exception cref="StreamLimitExceededException"><see cref="YamuxOptions.MaxOutboundStreams"/> streams are open, or stream ids are exhausted.</exception>
    /// <exception cref="ResourceLimitExceededException">A resource scope cannot take another stream or its receive window.</exception>
    /// <exception cref="MuxerClosedException">The session is closing or ended, or the peer sent GoAway.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async Task<YamuxStream> OpenStreamAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            ThrowIfCannotOpenLocked();
            if (outboundCount >= options.MaxOutboundStreams)
            {
                throw Error.StreamLimit(options.MaxOutboundStreams);
            }

            outboundCount++;
        }

        var registered = false;
        StreamScope? scope = null;
        try
        {
            if (resources is not null)
            {
                scope = resources.TryOpenStream(inbound: false, options.InitialStreamWindow, out var refusal);
                if (scope is null)
                {
                    lock (gate)
                    {
                        ThrowIfCannotOpenLocked();
                    }

                    throw (Exception?)refusal ?? CurrentStreamError();
                }
            }

            await ackBacklog.RequestAsync(1, cancellationToken).ConfigureAwait(false);
            YamuxStream stream;
            lock (gate)
            {
                if (!CanOpenStreamsLocked())
                {
                    ackBacklog.Release(1);
                    if (!StreamIdsLeftLocked())
                    {
                        throw new StreamLimitExceededException("The session has used every stream id.");
                    }

                    ThrowIfCannotOpenLocked();
                }

                stream = new YamuxStream(this, nextStreamId, outbound: true, options, time, scope) { HoldsAckSlot = true };
                nextStreamId += 2;
                streams.Add(stream.Id, stream);
                registered = true;

                // Under the lock, so SYNs leave in id order.
                stream.QueueOpeningUpdate(YamuxFlags.Syn);
            }

            return stream;
        }
        finally
        {
            if (!registered)
            {
                scope?.Dispose();
                lock (gate)
                {
                    outboundCount--;
                }
            }
        }
    }

    /// <summary>
    /// Takes the next inbound stream, waiting for one, and acknowledges it (ACK) to the peer.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; no stream is lost.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="MuxerClosedException">The session ended (cleanly or not).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async ValueTask<YamuxStream> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            YamuxStream stream;
            try
            {
                stream = await acceptQueue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                throw CurrentStreamError();
            }

            if (stream.TryMarkAccepted())
            {
                return stream;
            }
        }
    }

    /// <summary>
    /// Measures the round trip with a yamux ping. Concurrent calls share one ping in flight.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the ping stays in flight for others).</param>
    /// <returns>The round trip.</returns>
    /// <exception cref="MuxerClosedException">The session ended before the pong arrived.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) =>
        StartPing(out _).WaitAsync(cancellationToken);

    /// <summary>Sends a ping, or joins the one in flight; <paramref name="ping"/> is that ping (null when the session has ended).</summary>
    private Task<TimeSpan> StartPing(out ActivePing? ping)
    {
        lock (gate)
        {
            ping = null;
            if (state == SessionState.Terminated)
            {
                return Task.FromException<TimeSpan>(CurrentStreamErrorLocked());
            }

            if (activePing is null)
            {
                activePing = new ActivePing(nextPingId++, time.GetTimestamp());
                if (!TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(activePing.Id, response: false))))
                {
                    return Task.FromException<TimeSpan>(CurrentStreamErrorLocked());
                }
            }

            ping = activePing;
            return activePing.Pong.Task;
        }
    }

    /// <summary>Whether <paramref name="ping"/> is still waiting for its pong (the reader clears it, under the gate, before anything else it does with the pong).</summary>
    private bool IsPending(ActivePing ping)
    {
        lock (gate)
        {
            return ReferenceEquals(activePing, ping);
        }
    }

    /// <summary>
    /// Closes gracefully: sends GoAway(normal) (no new streams either way), resets inbound streams
    /// never accepted, waits for open streams to finish (at most <see cref="YamuxOptions.CloseTimeout"/>),
    /// then closes our side of the connection and waits for the peer to close its side (again at
    /// most the timeout) before dropping the connection.
    /// </summary>
    /// <param name="cancellationToken">Abandons the graceful close: the session is aborted at once.</param>
    /// <returns>Completes when the session has ended; does not throw for a session that ended on an error (see <see cref="Completion"/>).</returns>
    /// <exception cref="OperationCanceledException">Cancelled (the session was aborted).</exception>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        Task waitForStreams;
        lock (gate)
        {
            if (state == SessionState.Open)
            {
                state = SessionState.Closing;
                TryQueueControl(OutboundItem.ForFrame(YamuxHeader.GoAway((uint)YamuxGoAwayCode.Normal)));
                allStreamsDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            waitForStreams = allStreamsDone?.Task ?? Task.CompletedTask;
        }

        ackBacklog.Fault(Error.MuxerClosed("The session is closing.", remote: false, (uint)YamuxGoAwayCode.Normal));
        while (acceptQueue.Reader.TryRead(out var unaccepted))
        {
            unaccepted.Reset();
        }

        CheckAllStreamsDone();
        try
        {
            try
            {
                await waitForStreams.WaitAsync(options.CloseTimeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Streams that did not finish in time are cut by the termination below.
            }

            Terminate(null, Error.MuxerClosed("The session was closed.", remote: false, (uint)YamuxGoAwayCode.Normal), goAway: null);
            await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Abort(new OperationCanceledException("The graceful close of the yamux session was cancelled.", cancellationToken));
            throw;
        }
        catch (Exception) when (Completion.IsCompleted)
        {
            // The session ended on an error: closing it is still done.
        }
    }

    /// <summary>Tears the session down at once: streams fail, the channel is aborted, nothing more is sent.</summary>
    /// <param name="reason">Why; <see cref="Completion"/> faults with it and streams fail with a <see cref="MuxerClosedException"/> wrapping it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reason"/> is null.</exception>
    public void Abort(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Terminate(reason, Error.MuxerClosed("The session was aborted.", remote: false, null, reason), goAway: null);
        channel.Abort(reason);
    }

    /// <summary>Closes gracefully, as <see cref="CloseAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    // ----- used by streams -----

    /// <summary>Forgets a stream that finished (both directions closed, reset or disposed). Idempotent.</summary>
    internal void Forget(YamuxStream stream)
    {
        var releaseSlot = false;
        lock (gate)
        {
            if (!streams.TryGetValue(stream.Id, out var known) || !ReferenceEquals(known, stream))
            {
                return;
            }

            streams.Remove(stream.Id);

            if (stream.IsOutbound)
            {
                outboundCount--;
            }
            else
            {
                inboundCount--;
            }

            if (stream.HoldsAckSlot)
            {
                stream.HoldsAckSlot = false;
                releaseSlot = true;
            }
        }

        // Outside the session's lock: completing takes the stream's own lock.
        stream.SignalCompleted();

        if (releaseSlot)
        {
            ackBacklog.Release(1);
        }

        CheckAllStreamsDone();
        CloseIfIdleAfterGoAway();
    }

    /// <summary>Starts a graceful close when the peer sent GoAway and no stream is left.</summary>
    private void CloseIfIdleAfterGoAway()
    {
        lock (gate)
        {
            if (state != SessionState.Open || remoteGoAway is null || streams.Count > 0)
            {
                return;
            }
        }

        // Off the caller's path: this runs inside the read loop's frame parsing and in Forget.
        Observe(Task.Run(() => CloseAsync()));
    }

    private void CheckAllStreamsDone()
    {
        TaskCompletionSource? done = null;
        lock (gate)
        {
            if (state == SessionState.Closing && streams.Count == 0)
            {
                done = allStreamsDone;
            }
        }

        done?.TrySetResult();
    }

    private void ThrowIfCannotOpenLocked()
    {
        switch (state)
        {
            case SessionState.Terminated:
                throw CurrentStreamErrorLocked();
            case SessionState.Closing:
                throw Error.MuxerClosed("The session is closing: no new streams.", remote: false, (uint)YamuxGoAwayCode.Normal);
        }

        if (remoteGoAway is { } code)
        {
            throw Error.MuxerClosed("The remote peer sent GoAway: no new streams.", remote: true, code);
        }
    }

    /// <summary>The error a stream operation fails with once the session no longer carries it.</summary>
    internal MuxerClosedException CurrentStreamError()
    {
        lock (gate)
        {
            return CurrentStreamErrorLocked();
        }
    }

    private MuxerClosedException CurrentStreamErrorLocked() =>
        streamError ?? Error.MuxerClosed("The session is closing.", remote: remoteGoAway is not null, remoteGoAway ?? (uint)YamuxGoAwayCode.Normal);

    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private sealed class ActivePing(uint id, long started)
    {
        public uint Id { get; } = id;

        public long Started { get; } = started;

        public TaskCompletionSource<TimeSpan> Pong { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
