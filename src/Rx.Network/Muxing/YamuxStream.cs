using System.Runtime.CompilerServices;
using Rx.Network.Encoding;
using Rx.Network.Errors;
using Rx.Network.Resources;

namespace Rx.Network.Muxing;

/// <summary>
/// One yamux stream: a bidirectional byte stream multiplexed with others over a
/// <see cref="YamuxSession"/>, with its own flow control and half-close.
/// </summary>
/// <remarks>
/// <para>Reading: <see cref="ReadAsync"/> returns buffered bytes as soon as there are some and 0
/// once the remote half-closed (FIN) and the buffer is drained. Reading frees receive window,
/// granted back to the peer in one update per half window (with auto-tuning, see
/// <see cref="ReceiveWindow"/>).</para>
/// <para>Writing: <see cref="WriteAsync"/> cuts the bytes into data frames bounded by the send
/// window (credit from the peer) and the maximum frame size, and returns once every byte is
/// queued; a stream keeps at most one frame queued, which later writes grow while it waits. With
/// no credit it waits: a peer that does not read stops us after one window. <see cref="CloseWriteAsync"/> half-closes (FIN): the remote may keep writing and we keep
/// reading.</para>
/// <para><see cref="Reset()"/> aborts the directions still open and tells the peer (RST); reads and writes
/// then fail with <see cref="StreamResetException"/> (<see cref="StreamResetException.Remote"/> tells
/// who reset). <see cref="DisposeAsync"/> is go-libp2p's <c>Close</c>: close for writing (FIN) and
/// for reading (unread and later data is dropped); it does not wait for the remote's FIN. A FIN
/// that cannot be handed to the connection within <see cref="YamuxOptions.CloseTimeout"/> (the
/// peer stopped reading and the connection's buffers are full) resets the stream instead.</para>
/// <para>Thread-safe; reads may run concurrently with writes, and concurrent writes are
/// serialized.</para>
/// </remarks>
internal sealed partial class YamuxStream : IAsyncDisposable
{
    private readonly YamuxSession session;
    private readonly Lock gate = new();
    private readonly ReceiveBuffer received = new();
    private readonly ReceiveWindow receiveWindow;
    private readonly YamuxStreamSender sender;

    // The stream's reservations (count and receive window); null when the session reserves nothing.
    private readonly StreamScope? resources;

    // Set once the stream ended with unread bytes: reading them gives their memory back. Guarded by gate.
    private bool resourcesCompleted;

    private HalfState readState;
    private HalfState writeState;
    private Exception? readError;
    private Exception? writeError;
    private TaskCompletionSource? readSignal;
    private bool disposed;

    // Window update waiting for the session's writer; guarded by gate.
    private PendingWindowUpdate pendingUpdate;
    private bool acceptHandled;

    internal YamuxStream(YamuxSession session, uint id, bool outbound, YamuxOptions options, TimeProvider time, StreamScope? resources = null)
    {
        this.session = session;
        Id = id;
        IsOutbound = outbound;
        this.resources = resources;
        sender = new YamuxStreamSender(this, session, options, time);
        receiveWindow = new ReceiveWindow(options.InitialStreamWindow, options.MaxStreamWindow, time, resources);
    }

    private enum HalfState
    {
        Open,
        Closed,
        Reset,
    }

    /// <summary>The stream id: odd when the dialer opened it, even when the listener did.</summary>
    public uint Id { get; }

    /// <summary>Whether we opened the stream.</summary>
    public bool IsOutbound { get; }

    /// <summary>Whether the ACK backlog slot of this outbound stream is still held; guarded by the session's lock.</summary>
    internal bool HoldsAckSlot { get; set; }

    /// <summary>The receive window in force (grows with auto-tuning).</summary>
    internal long ReceiveWindowSize
    {
        get
        {
            lock (gate)
            {
                return receiveWindow.Window;
            }
        }
    }

    /// <summary>Send credit on hand.</summary>
    internal long SendCredit => sender.Credit;

    /// <summary>Bytes received and not read yet.</summary>
    internal long BufferedBytes
    {
        get
        {
            lock (gate)
            {
                return received.Length;
            }
        }
    }

    /// <summary>
    /// Reads received bytes into <paramref name="buffer"/>, waiting while none are buffered.
    /// </summary>
    /// <param name="buffer">Where to put the bytes; an empty buffer returns 0 at once.</param>
    /// <param name="cancellationToken">Stops waiting; no byte is lost.</param>
    /// <returns>The bytes read; 0 once the remote has half-closed and everything was read.</returns>
    /// <exception cref="StreamResetException">The stream was reset (by either side).</exception>
    /// <exception cref="MuxerClosedException">The session ended before the remote finished sending.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            Task signal;
            bool queueUpdate;
            int read;
            lock (gate)
            {
                if (received.Length > 0)
                {
                    read = received.Read(buffer.Span);
                    receiveWindow.Consume(read);
                    if (resourcesCompleted)
                    {
                        // The stream ended with these bytes unread: their memory goes back as they are read.
                        resources!.Release(read);
                    }

                    queueUpdate = readState == HalfState.Open && GrantLocked(force: false);
                    signal = Task.CompletedTask;
                }
                else
                {
                    switch (readState)
                    {
                        case HalfState.Closed:
                            return 0;
                        case HalfState.Reset:
                            throw readError!;
                    }

                    ObjectDisposedException.ThrowIf(disposed, this);
                    readSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    signal = readSignal.Task;
                    read = 0;
                    queueUpdate = false;
                }
            }

            if (read > 0)
            {
                if (queueUpdate)
                {
                    session.QueueWindowUpdate(this);
                }

                return read;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Resets the stream: both directions abort and the peer is told (RST).</summary>
    /// <remarks>Does nothing when the stream already finished (both directions closed, or reset).</remarks>
    public void Reset() => Reset(0);

    /// <summary>Resets the stream with an error code for the peer (yamux carries it in the RST frame's length, as go-yamux does).</summary>
    /// <param name="code">The error code; 0 when there is none.</param>
    public void Reset(uint code)
    {
        var error = Error.StreamReset(remote: false, code);
        if (!ResetCore(error))
        {
            DropUnreadAfterEnd();
            return;
        }

        session.SendReset(this, code);
        session.Forget(this);
    }

    // ----- called by the session's read loop -----

    /// <summary>
    /// Accounts for a data frame's header. Returns what to do with its payload: keep it, drop it
    /// (our read side is closed), or fail the session (the peer exceeded the window).
    /// </summary>
    internal DataVerdict OnDataHeader(uint length)
    {
        lock (gate)
        {
            if (readState != HalfState.Open)
            {
                return DataVerdict.Discard;
            }

            return receiveWindow.TryReceive(length) ? DataVerdict.Accept : DataVerdict.WindowExceeded;
        }
    }

    /// <summary>Appends payload bytes of an accepted data frame.</summary>
    internal void OnPayload(ReadOnlySpan<byte> payload, long stillExpected)
    {
        TaskCompletionSource? wake;
        lock (gate)
        {
            if (readState != HalfState.Open)
            {
                // Reset meanwhile: the bytes have nowhere to go.
                return;
            }

            received.Append(payload, stillExpected);
            wake = TakeReadSignal();
        }

        wake?.TrySetResult();
    }

    /// <summary>
    /// As <see cref="OnPayload"/> for a chunk whose bytes from <paramref name="offset"/> to its end
    /// are one whole frame's payload: the stream takes the chunk itself rather than a copy.
    /// </summary>
    /// <returns>Whether the stream took ownership of <paramref name="chunk"/>; if not (it no longer reads), the caller still owns it.</returns>
    internal bool OnPayloadChunk(PooledBuffer chunk, int offset)
    {
        TaskCompletionSource? wake;
        lock (gate)
        {
            if (readState != HalfState.Open)
            {
                return false;
            }

            received.Adopt(chunk, offset);
            wake = TakeReadSignal();
        }

        wake?.TrySetResult();
        return true;
    }

    /// <summary>The peer granted more send window.</summary>
    internal void OnWindowUpdate(uint delta) => sender.OnWindowUpdate(delta);

    /// <summary>The peer half-closed (FIN). Returns whether the stream is now finished both ways.</summary>
    internal bool OnRemoteFin()
    {
        TaskCompletionSource? wake;
        bool finished;
        lock (gate)
        {
            if (readState == HalfState.Open)
            {
                readState = HalfState.Closed;
            }

            finished = writeState != HalfState.Open;
            wake = TakeReadSignal();
        }

        wake?.TrySetResult();
        return finished;
    }

    /// <summary>The peer reset the stream.</summary>
    internal void OnRemoteReset(uint code) => ResetCore(Error.StreamReset(remote: true, code));

    /// <summary>The session ended: whatever is still open fails with <paramref name="error"/>.</summary>
    internal void Abort(Exception error)
    {
        TaskCompletionSource? wake;
        lock (gate)
        {
            wake = FailOpenHalves(error);
        }

        sender.Fault(error);
        wake?.TrySetResult();
    }

    /// <summary>
    /// Marks an inbound stream accepted by the application and queues its ACK. Returns
    /// <see langword="false"/> when it was reset while waiting to be accepted.
    /// </summary>
    internal bool TryMarkAccepted()
    {
        lock (gate)
        {
            if (acceptHandled || readState == HalfState.Reset || writeState == HalfState.Reset)
            {
                return false;
            }

            acceptHandled = true;
        }

        QueueOpeningUpdate(YamuxFlags.Ack);
        return true;
    }

    /// <summary>Queues the window update that carries SYN (outbound) or ACK (inbound) and any window beyond the spec's initial one.</summary>
    internal void QueueOpeningUpdate(YamuxFlags flags)
    {
        bool queue;
        lock (gate)
        {
            queue = pendingUpdate.AddFlags(flags);
            if (readState == HalfState.Open)
            {
                queue |= GrantLocked(force: true);
            }
        }

        if (queue)
        {
            session.QueueWindowUpdate(this);
        }
    }

    /// <summary>
    /// Builds the coalesced window update when the session's writer reaches it; <see langword="false"/>
    /// when there is nothing to send any more (the stream was reset meanwhile, or the update was empty).
    /// </summary>
    internal bool TryTakeWindowUpdate(out YamuxHeader header)
    {
        lock (gate)
        {
            // A reset stream's RST is queued behind: an update would be noise.
            if (!pendingUpdate.Take(out var flags, out var delta) || readState == HalfState.Reset || writeState == HalfState.Reset)
            {
                header = default;
                return false;
            }

            header = YamuxHeader.WindowUpdate(Id, (uint)Math.Min(delta, uint.MaxValue), flags);
            return true;
        }
    }

    /// <summary>Whether a frame of ours for this stream must not be sent any more.</summary>
    internal bool IsWriteReset(out Exception? error)
    {
        lock (gate)
        {
            error = writeError;
            return writeState == HalfState.Reset;
        }
    }


    /// <inheritdoc/>
    public override string ToString() => $"yamux stream {Id} ({(IsOutbound ? "outbound" : "inbound")})";

    private bool GrantLocked(bool force)
    {
        var delta = receiveWindow.TakeUpdate(session.MinRtt, force);
        return delta != 0 && pendingUpdate.AddDelta(delta);
    }

    /// <summary>
    /// A stream that already finished is reset (its owner is done with it): bytes it still holds
    /// unread are dropped, and their memory given back to the resource manager.
    /// </summary>
    private void DropUnreadAfterEnd()
    {
        lock (gate)
        {
            if (!resourcesCompleted || received.Length == 0)
            {
                return;
            }

            receiveWindow.Consume(received.Clear());
        }

        resources!.Dispose();
    }

    private bool ResetCore(StreamResetException error)
    {
        TaskCompletionSource? wake;
        lock (gate)
        {
            // Finished both ways already (or reset before): nothing to abort, nothing to tell.
            if (readState != HalfState.Open && writeState != HalfState.Open)
            {
                return false;
            }

            wake = FailOpenHalves(error);
        }

        sender.Fault(error);
        wake?.TrySetResult();
        return true;
    }

    /// <summary>
    /// Under <see cref="gate"/>: fails each direction still open with <paramref name="error"/>.
    /// As go-yamux, a direction already half-closed stays so (bytes the remote sent before its FIN
    /// remain readable); an open one is reset, dropping unread bytes. Returns the reader to wake.
    /// </summary>
    private TaskCompletionSource? FailOpenHalves(Exception error)
    {
        if (readState == HalfState.Open)
        {
            readState = HalfState.Reset;
            readError = error;
            receiveWindow.Consume(received.Clear());
        }

        if (writeState == HalfState.Open)
        {
            writeState = HalfState.Reset;
            writeError = error;
        }

        return TakeReadSignal();
    }

    private TaskCompletionSource? TakeReadSignal()
    {
        var signal = readSignal;
        readSignal = null;
        return signal;
    }
}

/// <summary>What the read loop does with a data frame's payload.</summary>
internal enum DataVerdict
{
    /// <summary>Buffer it for the stream's reader.</summary>
    Accept,

    /// <summary>Skip it: the stream no longer reads.</summary>
    Discard,

    /// <summary>The frame is larger than the window granted: a protocol violation.</summary>
    WindowExceeded,
}
