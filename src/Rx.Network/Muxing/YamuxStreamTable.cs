using Rx.Network.Errors;
using Rx.Network.Resources;

namespace Rx.Network.Muxing;

/// <summary>
/// The session's streams and the state that decides whether a stream may join: the open streams
/// by id, their counts against the limits, the next outbound id, the ACK backlog (the session's
/// own flow control: how many of our streams may await the peer's ACK), and the session's state
/// (open, closing, terminated; GoAway from the peer; the error streams fail with).
/// </summary>
/// <remarks>
/// <para>Contract: one lock guards all of it, so a stream is admitted only while the session takes
/// streams, and a termination sees every stream admitted before it. Outbound streams are opened by
/// <see cref="OpenAsync"/>, inbound ones admitted by <see cref="TryAdmitInbound"/> (the reader);
/// both reserve in the connection's resource scope first. A finished stream leaves through
/// <see cref="Remove"/>; <see cref="TryTerminate"/> empties the table once and hands its streams to
/// the session to fail. Nothing here waits while holding the lock.</para>
/// </remarks>
internal sealed class YamuxStreamTable
{
    private readonly YamuxSession session;
    private readonly YamuxOptions options;
    private readonly TimeProvider time;
    private readonly ConnectionScope? resources;
    private readonly YamuxAcceptQueue acceptQueue;
    private readonly YamuxWriter writer;
    private readonly Lock gate = new();
    private readonly Dictionary<uint, YamuxStream> streams = [];
    private readonly Credit ackBacklog;

    /// <summary>Credit added to <see cref="ackBacklog"/> at the first acknowledgement; 0 once added.</summary>
    private int ackBacklogWidening;

    private uint nextStreamId;
    private int inboundCount;
    private int outboundCount;
    private State state;
    private volatile bool terminated;
    private uint? remoteGoAway;
    private Exception? terminalError;
    private MuxerClosedException? streamError;
    private TaskCompletionSource? allStreamsDone;

    /// <summary>Creates the (empty, open) stream table of <paramref name="session"/>.</summary>
    /// <param name="session">The session new streams belong to.</param>
    /// <param name="options">Limits, backlogs and the initial stream window.</param>
    /// <param name="time">The clock new streams use.</param>
    /// <param name="resources">The connection's resource scope; null reserves nothing.</param>
    /// <param name="acceptQueue">Where admitted inbound streams wait for the application.</param>
    /// <param name="writer">Where the GoAway of a graceful close goes.</param>
    public YamuxStreamTable(YamuxSession session, YamuxOptions options, TimeProvider time, ConnectionScope? resources, YamuxAcceptQueue acceptQueue, YamuxWriter writer)
    {
        this.session = session;
        this.options = options;
        this.time = time;
        this.resources = resources;
        this.acceptQueue = acceptQueue;
        this.writer = writer;
        nextStreamId = session.IsInitiator ? 1u : 2u;

        // Slow start: a small backlog until the peer acknowledges its first stream (see
        // YamuxOptions.InitialAckBacklog), then the full one.
        ackBacklog = new Credit(Math.Min(options.InitialAckBacklog, options.MaxAckBacklog));
        ackBacklogWidening = options.MaxAckBacklog - Math.Min(options.InitialAckBacklog, options.MaxAckBacklog);
    }

    private enum State
    {
        Open,
        Closing,
        Terminated,
    }

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

    /// <summary>Whether a stream can be opened now: open, no GoAway from the peer, and an outbound id left.</summary>
    public bool CanOpenStreams
    {
        get
        {
            lock (gate)
            {
                return CanOpenStreamsLocked();
            }
        }
    }

    /// <summary>Whether the session has ended (read without the lock by the reader, once per frame).</summary>
    public bool IsTerminated => terminated;

    /// <summary>The code of the peer's GoAway(normal), if it sent one.</summary>
    public uint? RemoteGoAway
    {
        get
        {
            lock (gate)
            {
                return remoteGoAway;
            }
        }
    }

    /// <summary>What the session ended on; null while it runs or after a clean end.</summary>
    public Exception? TerminalError
    {
        get
        {
            lock (gate)
            {
                return terminalError;
            }
        }
    }

    /// <summary>Whether the peer sent GoAway and no stream is left (the session is useless and should close).</summary>
    public bool IsIdleAfterGoAway
    {
        get
        {
            lock (gate)
            {
                return state == State.Open && remoteGoAway is not null && streams.Count == 0;
            }
        }
    }

    /// <summary>Opens an outbound stream and queues its SYN (see <see cref="YamuxSession.OpenStreamAsync"/>).</summary>
    /// <param name="cancellationToken">Gives up waiting for an ACK backlog place.</param>
    /// <returns>The new stream.</returns>
    /// <exception cref="StreamLimitExceededException"><see cref="YamuxOptions.MaxOutboundStreams"/> streams are open, or stream ids are exhausted.</exception>
    /// <exception cref="ResourceLimitExceededException">A resource scope cannot take another stream or its receive window.</exception>
    /// <exception cref="MuxerClosedException">The session is closing or ended, or the peer sent GoAway.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async Task<YamuxStream> OpenAsync(CancellationToken cancellationToken)
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

                stream = new YamuxStream(session, nextStreamId, outbound: true, options, time, scope) { HoldsAckSlot = true };
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
    /// Admits a stream the peer opens (the id's parity already checked) into the table and the
    /// accept backlog; null when it must be refused, with the code of its RST.
    /// </summary>
    /// <exception cref="WireProtocolViolationException">The id is already open.</exception>
    public YamuxStream? TryAdmitInbound(uint id, out uint resetCode)
    {
        resetCode = 0;
        lock (gate)
        {
            if (streams.ContainsKey(id))
            {
                throw Error.Protocol($"The remote peer opened stream {id}, which is already open.");
            }

            if (state == State.Open && inboundCount < options.MaxInboundStreams)
            {
                // Reserved before the stream exists: its count and the window the peer may fill at
                // once. Refused, the stream is reset with the resource-limit code (never an
                // exception on the read loop).
                StreamScope? scope = null;
                if (resources is not null && (scope = resources.TryOpenStream(inbound: true, options.InitialStreamWindow, out _)) is null)
                {
                    resetCode = ResourceLimitExceededException.StreamResetCode;
                }
                else
                {
                    var stream = new YamuxStream(session, id, outbound: false, options, time, scope);
                    if (acceptQueue.TryAdd(stream))
                    {
                        streams.Add(id, stream);
                        inboundCount++;
                        return stream;
                    }

                    scope?.Dispose();
                }
            }
        }

        return null;
    }

    /// <summary>The open stream with <paramref name="id"/>, if any.</summary>
    public YamuxStream? Find(uint id)
    {
        lock (gate)
        {
            return streams.GetValueOrDefault(id);
        }
    }

    /// <summary>The peer acknowledged one of our streams: its ACK backlog place is free.</summary>
    public void OnAck(YamuxStream stream)
    {
        var release = false;
        lock (gate)
        {
            if (stream.HoldsAckSlot)
            {
                stream.HoldsAckSlot = false;
                release = true;
            }
        }

        if (release)
        {
            // The first acknowledgement ends the slow start: the peer is accepting streams.
            ackBacklog.Release(1 + Interlocked.Exchange(ref ackBacklogWidening, 0));
        }
    }

    /// <summary>Removes a finished stream, completes it and frees its ACK backlog place; <see langword="false"/> when it was no longer in the table.</summary>
    public bool Remove(YamuxStream stream)
    {
        var releaseSlot = false;
        lock (gate)
        {
            if (!streams.TryGetValue(stream.Id, out var known) || !ReferenceEquals(known, stream))
            {
                return false;
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

        // Outside the lock: completing takes the stream's own lock.
        stream.SignalCompleted();

        if (releaseSlot)
        {
            ackBacklog.Release(1);
        }

        return true;
    }

    /// <summary>The peer sent GoAway(normal): no new outbound streams (openers waiting for a backlog place fail).</summary>
    public void OnRemoteGoAway(uint code)
    {
        lock (gate)
        {
            remoteGoAway = code;
        }

        ackBacklog.Fault(Error.MuxerClosed("The remote peer sent GoAway: no new streams.", remote: true, code));
    }

    /// <summary>
    /// Starts a graceful close once: the session stops taking streams either way and queues
    /// GoAway(normal); openers waiting for a backlog place fail.
    /// </summary>
    /// <returns>Completes when no stream is left (or the session ended).</returns>
    public Task BeginClosing()
    {
        Task waitForStreams;
        lock (gate)
        {
            if (state == State.Open)
            {
                state = State.Closing;
                writer.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.GoAway((uint)YamuxGoAwayCode.Normal)));
                allStreamsDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            waitForStreams = allStreamsDone?.Task ?? Task.CompletedTask;
        }

        ackBacklog.Fault(Error.MuxerClosed("The session is closing.", remote: false, (uint)YamuxGoAwayCode.Normal));
        return waitForStreams;
    }

    /// <summary>Completes the task of <see cref="BeginClosing"/> when closing and no stream is left.</summary>
    public void CheckAllStreamsDone()
    {
        TaskCompletionSource? done = null;
        lock (gate)
        {
            if (state == State.Closing && streams.Count == 0)
            {
                done = allStreamsDone;
            }
        }

        done?.TrySetResult();
    }

    /// <summary>
    /// Ends the table once: records the outcome, takes every stream out (the caller fails them),
    /// and fails openers waiting for a backlog place; <see langword="false"/> when it had ended already.
    /// </summary>
    /// <param name="error">The session's outcome; null for a clean end.</param>
    /// <param name="errorForStreams">What stream operations fail with from now on.</param>
    /// <param name="victims">The streams that were open.</param>
    /// <param name="streamsDone">The graceful close's wait, if one is in progress (the caller completes it).</param>
    public bool TryTerminate(Exception? error, MuxerClosedException errorForStreams, out YamuxStream[] victims, out TaskCompletionSource? streamsDone)
    {
        lock (gate)
        {
            if (state == State.Terminated)
            {
                victims = [];
                streamsDone = null;
                return false;
            }

            state = State.Terminated;
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
            streamsDone = allStreamsDone;
        }

        ackBacklog.Fault(errorForStreams);
        return true;
    }

    /// <summary>The error a stream operation fails with once the session no longer carries it.</summary>
    public MuxerClosedException CurrentStreamError()
    {
        lock (gate)
        {
            return CurrentStreamErrorLocked();
        }
    }

    // Under gate: open, no GoAway from the remote, and an outbound stream id left (ids step by 2).
    private bool CanOpenStreamsLocked() => state == State.Open && remoteGoAway is null && StreamIdsLeftLocked();

    private bool StreamIdsLeftLocked() => nextStreamId <= uint.MaxValue - 1;

    private void ThrowIfCannotOpenLocked()
    {
        switch (state)
        {
            case State.Terminated:
                throw CurrentStreamErrorLocked();
            case State.Closing:
                throw Error.MuxerClosed("The session is closing: no new streams.", remote: false, (uint)YamuxGoAwayCode.Normal);
        }

        if (remoteGoAway is { } code)
        {
            throw Error.MuxerClosed("The remote peer sent GoAway: no new streams.", remote: true, code);
        }
    }

    private MuxerClosedException CurrentStreamErrorLocked() =>
        streamError ?? Error.MuxerClosed("The session is closing.", remote: remoteGoAway is not null, remoteGoAway ?? (uint)YamuxGoAwayCode.Normal);
}
