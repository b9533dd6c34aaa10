using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Errors;
using Rx.Network.Transports;

namespace Rx.Network.Muxing;

/// <summary>
/// The session's one reader and demultiplexer: consumes the channel's input, parses yamux frame
/// headers across chunk boundaries, checks what the spec requires of each frame, and dispatches
/// it: payload into the addressed stream's buffer, window updates, FIN and RST to the stream, SYN
/// and ACK to the <see cref="YamuxStreamTable"/>, pings and GoAway to the session.
/// </summary>
/// <remarks>
/// <para>Contract: the demux stage of the byte path (ADR 0011 §3), an <see cref="ActionBlock{T}"/>
/// (one chunk at a time, bounded, on the network's task scheduler) that the secure channel's
/// receive stage sends into directly (<see cref="IDirectInput"/>): one task per burst, as the
/// read loop it replaced woke once per burst. <see cref="Start"/> runs once, from the session's
/// start. It never waits for a stream's reader (each stream's receive window bounds its buffer).
/// It ends the session when the input ends (cleanly) or fails; a frame that breaks the protocol
/// ends it with GoAway(protocol error), an unexpected failure while handling one with
/// GoAway(internal error). After the session ended, chunks are only released: the input drains
/// until the peer closes. All parser state is touched by the block's one message at a time.</para>
/// </remarks>
internal sealed class YamuxReader
{
    /// <summary>
    /// Payloads at least this large that end their chunk are handed over as the chunk itself; a
    /// smaller one is copied so that a stream holding a few bytes does not pin a large array.
    /// </summary>
    private const int AdoptThreshold = 16 * 1024;

    /// <summary>
    /// Chunks the demux block holds (the one being parsed included): the secure channel's own input
    /// bound (<c>SecureChannelOptions.InputCapacity</c>), so handing the input over keeps its bound.
    /// </summary>
    private const int InputCapacity = 16;

    private readonly YamuxSession session;
    private readonly IDuplexChannel channel;
    private readonly YamuxStreamTable streams;
    private readonly YamuxWriter writer;
    private readonly FrameTap frames;
    private readonly ActionBlock<PooledBuffer> target;
    private readonly TaskScheduler tasks;

    // Parser state, touched only by the read loop.
    private readonly byte[] partialHeader = new byte[YamuxHeader.Size];
    private int partialHeaderLength;
    private long payloadRemaining;
    private YamuxStream? payloadStream;
    private bool payloadFin;
    private bool chunkAdopted;

    /// <summary>Creates the reader of <paramref name="session"/>.</summary>
    /// <param name="session">The session: told of pongs, GoAway, finished streams and its own end.</param>
    /// <param name="channel">The secured connection whose input this reads.</param>
    /// <param name="streams">The session's streams, which SYN and ACK frames change.</param>
    /// <param name="writer">Where the replies the peer provokes (pongs, refusals) go.</param>
    /// <param name="frames">The session's frame trace, told of every header decoded while a block is linked.</param>
    /// <param name="tasks">Where the demux block runs (the network's <see cref="Reactive.NetworkScheduler.Tasks"/>).</param>
    public YamuxReader(YamuxSession session, IDuplexChannel channel, YamuxStreamTable streams, YamuxWriter writer, FrameTap frames, TaskScheduler tasks)
    {
        this.frames = frames;
        this.tasks = tasks;
        target = new ActionBlock<PooledBuffer>(Consume, new ExecutionDataflowBlockOptions
        {
            BoundedCapacity = InputCapacity,
            TaskScheduler = tasks,
            // One task drains a burst, however long: a busy reader never re-queues itself per chunk.
            MaxMessagesPerTask = DataflowBlockOptions.Unbounded,
        });
        this.session = session;
        this.channel = channel;
        this.streams = streams;
        this.writer = writer;
    }

    /// <summary>
    /// Starts the demux stage: the channel's receive stage sends into the demux block directly
    /// (<see cref="IDirectInput"/>), or, over a channel that cannot, its input is linked to it.
    /// The session ends when the input ends (cleanly, or on the input's failure).
    /// </summary>
    /// <returns>Completes once the input has ended and every chunk was consumed; never faults.</returns>
    public Task Start()
    {
        if (channel is IDirectInput direct)
        {
            direct.DeliverInputTo(target);
        }
        else
        {
            channel.Input.LinkTo(target, new DataflowLinkOptions { PropagateCompletion = true });
        }

        // On the network's scheduler, not where Dataflow completes the block (its own task on the pool).
        return target.Completion.ContinueWith(
            static (ended, reader) => ((YamuxReader)reader!).EndSession(ended),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            tasks);
    }

    /// <summary>The input ended: so does the session, cleanly or on the input's failure. Never throws.</summary>
    private void EndSession(Task ended)
    {
        // What an await would have thrown: the first fault, or the cancellation.
        Exception? failure = ended.Status switch
        {
            TaskStatus.RanToCompletion => null,
            TaskStatus.Faulted => ended.Exception!.InnerExceptions[0],
            _ => new TaskCanceledException(ended),
        };
        if (failure is null)
        {
            session.Terminate(null, Error.MuxerClosed("The remote peer closed the connection.", remote: true, streams.RemoteGoAway), goAway: null);
        }
        else
        {
            session.Terminate(failure, Error.MuxerClosed("The connection failed.", remote: false, null, failure), goAway: null);
        }
    }

    /// <summary>Parses one chunk; after the session ended, chunks are only released (the input drains until the peer closes).</summary>
    private void Consume(PooledBuffer chunk)
    {
        // Out of the transport's buffers: into a stream's window (reserved) or parsed and returned.
        channel.InputConsumed(chunk.Length);
        chunkAdopted = false;
        try
        {
            if (!session.IsTerminated)
            {
                Parse(chunk);
            }
        }
        catch (WireProtocolViolationException e)
        {
            session.Terminate(
                e,
                Error.MuxerClosed("The remote peer violated the yamux protocol.", remote: false, (uint)YamuxGoAwayCode.ProtocolError, e),
                YamuxGoAwayCode.ProtocolError);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            session.Terminate(
                e,
                Error.MuxerClosed("The yamux session failed.", remote: false, (uint)YamuxGoAwayCode.InternalError, e),
                YamuxGoAwayCode.InternalError);
        }
        finally
        {
            // Unless a stream took the chunk itself (set before anything after it could throw).
            if (!chunkAdopted)
            {
                chunk.Return();
            }
        }
    }

    private void Parse(PooledBuffer chunk)
    {
        var bytes = (ReadOnlySpan<byte>)chunk.Span;
        while (!bytes.IsEmpty && !session.IsTerminated)
        {
            if (payloadRemaining > 0)
            {
                var count = (int)Math.Min(bytes.Length, payloadRemaining);
                payloadRemaining -= count;
                if (payloadRemaining == 0 && count == bytes.Length && count >= AdoptThreshold
                    && count >= chunk.Array.Length / 4 * 3 && payloadStream is { } stream)
                {
                    // The rest of the chunk is this frame's whole payload (the usual case for bulk
                    // data: one Noise message carries one yamux frame): hand the chunk over rather
                    // than copy it. Only when the payload fills most of the chunk's array: the
                    // window (what the resource manager reserved) counts payload bytes, so a peer
                    // sending 16 KiB frames in 64 KiB arrays must not pin four times the window.
                    chunkAdopted = stream.OnPayloadChunk(chunk, chunk.Length - count);
                }
                else
                {
                    payloadStream?.OnPayload(bytes[..count], payloadRemaining);
                }

                bytes = bytes[count..];
                if (payloadRemaining == 0)
                {
                    EndDataFrame();
                }

                continue;
            }

            YamuxHeader header;
            if (partialHeaderLength == 0 && YamuxHeader.TryRead(bytes, out header))
            {
                bytes = bytes[YamuxHeader.Size..];
            }
            else
            {
                var count = Math.Min(bytes.Length, YamuxHeader.Size - partialHeaderLength);
                bytes[..count].CopyTo(partialHeader.AsSpan(partialHeaderLength));
                partialHeaderLength += count;
                bytes = bytes[count..];
                if (partialHeaderLength < YamuxHeader.Size)
                {
                    return;
                }

                partialHeaderLength = 0;
                header = YamuxHeader.ReadFrom(partialHeader);
            }

            OnFrame(header);
        }
    }

    private void OnFrame(in YamuxHeader header)
    {
        // Before any check: a frame that breaks the protocol is the one a trace is for.
        if (frames.IsActive)
        {
            frames.Publish(Direction.Inbound, header.Type, header.Flags, header.StreamId, header.Length);
        }

        switch (header.Type)
        {
            case YamuxFrameType.Ping:
                RequireSessionId(header);
                OnPing(header);
                break;
            case YamuxFrameType.GoAway:
                RequireSessionId(header);
                session.OnGoAway(header.Length);
                break;
            default:
                if (header.StreamId == YamuxHeader.SessionStreamId)
                {
                    throw Error.Protocol($"A {header.Type} frame on stream id 0, which is reserved for the session.");
                }

                OnStreamFrame(header);
                break;
        }
    }

    private static void RequireSessionId(in YamuxHeader header)
    {
        // Spec "StreamID Field": ping and GoAway always use stream id 0.
        if (header.StreamId != YamuxHeader.SessionStreamId)
        {
            throw Error.Protocol($"A {header.Type} frame on stream {header.StreamId}; session frames use stream id 0.");
        }
    }

    private void OnStreamFrame(in YamuxHeader header)
    {
        var stream = header.Has(YamuxFlags.Syn) ? OnSyn(header.StreamId) : streams.Find(header.StreamId);
        var isData = header.Type == YamuxFrameType.Data;
        if (stream is null)
        {
            // A stream we reset, closed or refused: its frames still in flight are dropped.
            BeginPayload(isData ? header.Length : 0, null, fin: false);
            return;
        }

        if (header.Has(YamuxFlags.Ack) && stream.IsOutbound)
        {
            streams.OnAck(stream);
        }

        if (header.Has(YamuxFlags.Rst))
        {
            // go-yamux carries an error code in the length of a window-update RST.
            stream.OnRemoteReset(isData ? 0 : header.Length);
            session.Forget(stream);
            BeginPayload(isData ? header.Length : 0, null, fin: false);
            return;
        }

        if (!isData)
        {
            stream.OnWindowUpdate(header.Length);
            if (header.Has(YamuxFlags.Fin))
            {
                RemoteFin(stream);
            }

            return;
        }

        switch (stream.OnDataHeader(header.Length))
        {
            case DataVerdict.WindowExceeded:
                throw Error.Protocol(
                    $"The remote peer sent {header.Length} bytes on stream {header.StreamId}, beyond the receive window it was granted.");
            case DataVerdict.Discard:
                BeginPayload(header.Length, null, header.Has(YamuxFlags.Fin));
                break;
            default:
                BeginPayload(header.Length, stream, header.Has(YamuxFlags.Fin));
                break;
        }

        if (payloadRemaining == 0)
        {
            EndDataFrame();
        }
    }

    private void BeginPayload(uint length, YamuxStream? stream, bool fin)
    {
        payloadRemaining = length;
        payloadStream = stream;
        payloadFin = fin && stream is not null;
    }

    private void EndDataFrame()
    {
        // FIN applies after the frame's bytes, so a reader never sees the end before the data.
        if (payloadFin && payloadStream is { } stream)
        {
            RemoteFin(stream);
        }

        payloadStream = null;
        payloadFin = false;
    }

    private void RemoteFin(YamuxStream stream)
    {
        if (stream.OnRemoteFin())
        {
            session.Forget(stream);
        }
    }

    /// <summary>Registers a stream the peer opens, or refuses it (RST); null when refused.</summary>
    private YamuxStream? OnSyn(uint id)
    {
        // Spec "StreamID Field": the dialer uses odd ids, the listener even ones.
        if ((id % 2 == 1) == session.IsInitiator)
        {
            throw Error.Protocol($"The remote peer opened stream {id}, an id of our parity: both sides act as {(session.IsInitiator ? "dialer" : "listener")}.");
        }

        if (streams.TryAdmitInbound(id, out var resetCode) is { } stream)
        {
            return stream;
        }

        // Closing, at a stream or resource limit, or the accept backlog is full: refuse at once.
        writer.SendProvoked(YamuxHeader.WindowUpdate(id, resetCode, YamuxFlags.Rst));
        return null;
    }

    private void OnPing(in YamuxHeader header)
    {
        if (header.Has(YamuxFlags.Syn))
        {
            writer.SendProvoked(YamuxHeader.Ping(header.Length, response: true));
            return;
        }

        if (header.Has(YamuxFlags.Ack))
        {
            session.Pings.OnPong(header.Length);
        }
    }
}
