using System.Threading.Tasks.Dataflow;
using Rx.Network.Errors;
using Rx.Network.Reactive;
using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Muxing;

/// <summary>
/// A yamux session (<c>/yamux/1.0.0</c>, libp2p/specs yamux/README.md) over a secured
/// <see cref="IDuplexChannel"/>: many <see cref="YamuxStream"/>s multiplexed on one connection,
/// each with its own flow control.
/// </summary>
/// <remarks>
/// <para>The session is the composition of its parts and owns its lifecycle (graceful close,
/// GoAway, abort, completion): one <see cref="YamuxReader"/> consumes the channel's input, parses
/// frames and dispatches them, never waiting for a stream's reader (each stream's receive window
/// bounds its buffer; a peer exceeding it ends the session with GoAway(protocol error)). One
/// <see cref="YamuxWriter"/> sends every frame to the channel's output, awaiting each send, so
/// backpressure from the connection reaches stream writers; writers wait until their frame was
/// handed over, so a write either goes out in order or its caller gets an exception. The
/// <see cref="YamuxStreamTable"/> holds the streams, their limits, the ACK backlog and the
/// session's state; the <see cref="YamuxAcceptQueue"/> the inbound streams not yet taken;
/// <see cref="YamuxPings"/> the round trip and the keep-alive.</para>
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
    private readonly IDuplexChannel channel;
    private readonly YamuxOptions options;
    private readonly TimeProvider time;
    private readonly YamuxWriter writer;
    private readonly YamuxAcceptQueue acceptQueue;
    private readonly YamuxStreamTable streams;
    private readonly YamuxPings pings;
    private readonly FrameTap frames;
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
    /// <param name="scheduler">Where contended stream writers resume (the network's); one over <paramref name="time"/> posting to the thread pool when null.</param>
    public YamuxSession(
        IDuplexChannel channel,
        bool isInitiator,
        YamuxOptions? options = null,
        TimeProvider? time = null,
        ConnectionScope? resources = null,
        NetworkScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        options ??= YamuxOptions.Default;
        options.Validate();
        this.channel = channel;
        this.options = options;
        this.time = time ?? TimeProvider.System;
        Scheduler = scheduler ?? new NetworkScheduler(this.time);
        IsInitiator = isInitiator;
        frames = new FrameTap(this.time, Scheduler.Tasks);
        // Stream frames queue at most one data frame and a FIN per stream: the bound never holds
        // back a session within its stream limits, and holds a misbehaving one.
        writer = new YamuxWriter(channel, frames, Scheduler, 2 * (options.MaxInboundStreams + options.MaxOutboundStreams), OnWriterFailed);
        writer.LinkTo(channel.Output, new DataflowLinkOptions { PropagateCompletion = true });
        acceptQueue = new YamuxAcceptQueue(this, options.AcceptBacklog);
        streams = new YamuxStreamTable(this, options, this.time, resources, acceptQueue, writer);

        // The keep-alive timer exists before the loops start: a loop that ends at once must find it to dispose it.
        pings = new YamuxPings(this, writer, options, this.time);
        var reader = new YamuxReader(this, channel, streams, writer, frames, Scheduler.Tasks);

        var inputEnded = reader.Start();
        _ = Task.WhenAll(inputEnded, writer.Completion).ContinueWith(
            ended =>
            {
                // A failed send is reported through OnWriterFailed; observed here.
                _ = ended.Exception;
                Completed();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            Scheduler.Tasks);

        if (options.PingOnStart)
        {
            Observe(PingAsync());
        }
    }

    /// <summary>Where the session's waiters resume: the network's scheduler.</summary>
    internal NetworkScheduler Scheduler { get; }

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
    public IObservable<YamuxStream> InboundStreams => acceptQueue.Streams;

    /// <summary>Open streams (inbound waiting to be accepted included).</summary>
    public int StreamCount => streams.StreamCount;

    /// <summary>Open streams the peer opened (waiting to be accepted included).</summary>
    public int InboundStreamCount => streams.InboundStreamCount;

    /// <summary>Open streams we opened (and opens in progress).</summary>
    public int OutboundStreamCount => streams.OutboundStreamCount;

    /// <summary>The smoothed round trip measured by pings; <see cref="TimeSpan.Zero"/> until the first pong.</summary>
    public TimeSpan Rtt => pings.Rtt;

    /// <summary>
    /// The session's frame trace: a Dataflow source of the decoded header of every frame received
    /// and sent (see <see cref="FrameTap"/>); publishes only while a block is linked. Completes when
    /// the session has ended (faulted when it ended on an error).
    /// </summary>
    public ISourceBlock<TracedFrame> Frames => frames;

    /// <summary>The lowest round trip a ping measured (the path without its queues); <see cref="TimeSpan.Zero"/> until the first pong. Window auto-tuning reads it.</summary>
    public TimeSpan MinRtt => pings.MinRtt;

    /// <summary>Frames waiting for the writer (for tests and diagnostics).</summary>
    internal int QueuedFrameCount => writer.QueuedFrameCount;

    /// <summary>Whether the writer is waiting for the connection to accept a chunk (for tests and diagnostics).</summary>
    internal bool IsWriterWaiting => writer.IsWaiting;

    /// <summary>Whether the session has ended (its streams failed; the reader only drains the input).</summary>
    internal bool IsTerminated => streams.IsTerminated;

    /// <summary>What the session ended on; null while it runs or after a clean end.</summary>
    internal Exception? TerminalError => streams.TerminalError;

    /// <summary>The pings and keep-alive (the reader hands them pongs).</summary>
    internal YamuxPings Pings => pings;

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
    public Task<YamuxStream> OpenStreamAsync(CancellationToken cancellationToken = default) => streams.OpenAsync(cancellationToken);

    /// <summary>
    /// Takes the next inbound stream, waiting for one, and acknowledges it (ACK) to the peer.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; no stream is lost.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="MuxerClosedException">The session ended (cleanly or not).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public ValueTask<YamuxStream> AcceptAsync(CancellationToken cancellationToken = default) => acceptQueue.AcceptAsync(cancellationToken);

    /// <summary>
    /// Measures the round trip with a yamux ping. Concurrent calls share one ping in flight.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the ping stays in flight for others).</param>
    /// <returns>The round trip.</returns>
    /// <exception cref="MuxerClosedException">The session ended before the pong arrived.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) => pings.PingAsync(cancellationToken);

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
        var waitForStreams = streams.BeginClosing();
        acceptQueue.ResetUnaccepted();
        streams.CheckAllStreamsDone();
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

    /// <summary>Offers a stream's data or FIN frame to the frame block (see <see cref="YamuxWriter.QueueAsync"/>).</summary>
    /// <returns>Completes <see langword="false"/> when the session no longer sends (the caller keeps the frame and fails with <see cref="CurrentStreamError"/>).</returns>
    internal Task<bool> QueueAsync(PendingWrite write) => writer.QueueAsync(write);

    /// <summary>Queues a stream's coalesced window update (built when the writer reaches it).</summary>
    internal void QueueWindowUpdate(YamuxStream stream) => writer.TryQueueControl(OutboundItem.ForWindowUpdate(stream));

    /// <summary>Tells the peer we reset a stream.</summary>
    internal void SendReset(YamuxStream stream, uint code) =>
        writer.QueueOrDrop(OutboundItem.ForFrame(YamuxHeader.WindowUpdate(stream.Id, code, YamuxFlags.Rst)));

    /// <summary>Runs a queued writer start here and now (see <see cref="YamuxWriter.Help"/>).</summary>
    internal void HelpWriter() => writer.Help();

    /// <summary>Forgets a stream that finished (both directions closed, reset or disposed). Idempotent.</summary>
    internal void Forget(YamuxStream stream)
    {
        if (!streams.Remove(stream))
        {
            return;
        }

        streams.CheckAllStreamsDone();
        CloseIfIdleAfterGoAway();
    }

    /// <summary>The error a stream operation fails with once the session no longer carries it.</summary>
    internal MuxerClosedException CurrentStreamError() => streams.CurrentStreamError();

    // ----- used by the reader, the writer and the pings -----

    /// <summary>
    /// Ends the session once: every stream fails with <paramref name="errorForStreams"/>; on a
    /// clean end queued frames are flushed, on an error they are dropped (their writers fail) and
    /// only the optional GoAway is sent; then the channel's output is completed. <paramref name="error"/> (null for a clean end) becomes the outcome of
    /// <see cref="Completion"/>. The read loop keeps draining the input until the peer closes;
    /// both loops get <see cref="YamuxOptions.CloseTimeout"/> before the channel is aborted.
    /// </summary>
    internal void Terminate(Exception? error, MuxerClosedException errorForStreams, YamuxGoAwayCode? goAway)
    {
        if (!streams.TryTerminate(error, errorForStreams, out var victims, out var streamsDone))
        {
            return;
        }

        pings.StopKeepAlive();
        acceptQueue.Complete(errorForStreams);
        foreach (var stream in victims)
        {
            stream.Abort(errorForStreams);
            stream.SignalCompleted();
        }

        pings.Fail(errorForStreams);
        streamsDone?.TrySetResult();

        if (error is null)
        {
            // A clean end flushes what is queued (our GoAway, resets, ACKs, FINs); data of the
            // streams just aborted fails when the writer reaches it.
            writer.Complete();
        }
        else
        {
            writer.Drain(goAway is { } code ? OutboundItem.ForFrame(YamuxHeader.GoAway((uint)code)) : null, errorForStreams);
        }

        Observe(EnforceCloseDeadlineAsync(errorForStreams));
    }

    /// <summary>The peer sent GoAway: code normal stops our new streams (and closes once none is left); any other code ends the session.</summary>
    internal void OnGoAway(uint code)
    {
        if (code == (uint)YamuxGoAwayCode.Normal)
        {
            streams.OnRemoteGoAway(code);

            // The peer is leaving: once our streams with it are done, the session is useless, so
            // close it rather than hold the connection until the peer (or keep-alive) ends it.
            CloseIfIdleAfterGoAway();
            return;
        }

        var error = Error.MuxerClosed($"The remote peer ended the session with GoAway code {code}.", remote: true, code);
        Terminate(error, error, goAway: null);
    }

    /// <summary>A send failed: the session ends on <paramref name="failure"/>.</summary>
    /// <returns>The error the writes still queued fail with.</returns>
    internal Exception OnWriterFailed(Exception? failure)
    {
        Terminate(failure, Error.MuxerClosed("The connection failed.", remote: false, null, failure), goAway: null);
        return CurrentStreamError();
    }

    /// <summary>A keep-alive ping went unanswered: a dead peer cannot read a GoAway, so the connection is dropped.</summary>
    internal void OnKeepAliveTimeout(TimeoutException error)
    {
        Terminate(error, Error.MuxerClosed("The connection timed out.", remote: false, null, error), goAway: null);
        channel.Abort(error);
    }

    /// <summary>Lets a background task fail without an unobserved exception (its outcome is reported elsewhere).</summary>
    internal void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, Scheduler.Tasks);

    /// <summary>Starts a graceful close when the peer sent GoAway and no stream is left.</summary>
    private void CloseIfIdleAfterGoAway()
    {
        if (!streams.IsIdleAfterGoAway)
        {
            return;
        }

        // Off the caller's path: this runs inside the demux block's frame parsing and in Forget.
        Scheduler.Post(() => Observe(CloseAsync()));
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
        frames.End(TerminalError);
        if (TerminalError is { } error)
        {
            completion.TrySetException(error);
        }
        else
        {
            completion.TrySetResult();
        }
    }
}
