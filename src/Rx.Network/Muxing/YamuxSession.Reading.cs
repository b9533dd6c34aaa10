using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Errors;
using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Muxing;

internal sealed partial class YamuxSession
{
    /// <summary>
    /// Payloads at least this large that end their chunk are handed over as the chunk itself; a
    /// smaller one is copied so that a stream holding a few bytes does not pin a large array.
    /// </summary>
    private const int AdoptThreshold = 16 * 1024;

    // Parser state, touched only by the read loop.
    private readonly byte[] partialHeader = new byte[YamuxHeader.Size];
    private int partialHeaderLength;
    private long payloadRemaining;
    private YamuxStream? payloadStream;
    private bool payloadFin;
    private bool chunkAdopted;

    private async Task RunReadLoopAsync()
    {
        var input = channel.Input;
        var receivable = input as IReceivableSourceBlock<PooledBuffer>;
        Exception? failure = null;
        try
        {
            if (channel is IInputReadiness readiness && receivable is not null)
            {
                // The channel's own reusable wait instead of OutputAvailableAsync: no target, link
                // and task allocated each time the input runs empty (see IInputReadiness).
                do
                {
                    while (receivable.TryReceive(out var chunk))
                    {
                        Consume(chunk);
                    }
                }
                while (await readiness.WaitForInputAsync().ConfigureAwait(false));
            }

            while (await input.OutputAvailableAsync().ConfigureAwait(false))
            {
                if (receivable is not null)
                {
                    while (receivable.TryReceive(out var chunk))
                    {
                        Consume(chunk);
                    }
                }
                else
                {
                    Consume(await input.ReceiveAsync().ConfigureAwait(false));
                }
            }

            await input.Completion.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }

        if (failure is null)
        {
            Terminate(null, Error.MuxerClosed("The remote peer closed the connection.", remote: true, remoteGoAway), goAway: null);
        }
        else
        {
            Terminate(failure, Error.MuxerClosed("The connection failed.", remote: false, null, failure), goAway: null);
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
            if (!terminated)
            {
                Parse(chunk);
            }
        }
        catch (WireProtocolViolationException e)
        {
            Terminate(
                e,
                Error.MuxerClosed("The remote peer violated the yamux protocol.", remote: false, (uint)YamuxGoAwayCode.ProtocolError, e),
                YamuxGoAwayCode.ProtocolError);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Terminate(
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
        while (!bytes.IsEmpty && !terminated)
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
        switch (header.Type)
        {
            case YamuxFrameType.Ping:
                RequireSessionId(header);
                OnPing(header);
                break;
            case YamuxFrameType.GoAway:
                RequireSessionId(header);
                OnGoAway(header.Length);
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
        var stream = header.Has(YamuxFlags.Syn) ? OnSyn(header.StreamId) : Find(header.StreamId);
        var isData = header.Type == YamuxFrameType.Data;
        if (stream is null)
        {
            // A stream we reset, closed or refused: its frames still in flight are dropped.
            BeginPayload(isData ? header.Length : 0, null, fin: false);
            return;
        }

        if (header.Has(YamuxFlags.Ack) && stream.IsOutbound)
        {
            OnAck(stream);
        }

        if (header.Has(YamuxFlags.Rst))
        {
            // go-yamux carries an error code in the length of a window-update RST.
            stream.OnRemoteReset(isData ? 0 : header.Length);
            Forget(stream);
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
            Forget(stream);
        }
    }

    private YamuxStream? Find(uint id)
    {
        lock (gate)
        {
            return streams.GetValueOrDefault(id);
        }
    }

    /// <summary>Registers a stream the peer opens, or refuses it (RST); null when refused.</summary>
    private YamuxStream? OnSyn(uint id)
    {
        // Spec "StreamID Field": the dialer uses odd ids, the listener even ones.
        if ((id % 2 == 1) == IsInitiator)
        {
            throw Error.Protocol($"The remote peer opened stream {id}, an id of our parity: both sides act as {(IsInitiator ? "dialer" : "listener")}.");
        }

        uint resetCode = 0;
        lock (gate)
        {
            if (streams.ContainsKey(id))
            {
                throw Error.Protocol($"The remote peer opened stream {id}, which is already open.");
            }

            if (state == SessionState.Open && inboundCount < options.MaxInboundStreams)
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
                    var stream = new YamuxStream(this, id, outbound: false, options, time, scope);
                    if (acceptQueue.Writer.TryWrite(stream))
                    {
                        streams.Add(id, stream);
                        inboundCount++;
                        return stream;
                    }

                    scope?.Dispose();
                }
            }
        }

        // Closing, at a stream or resource limit, or the accept backlog is full: refuse at once.
        SendProvoked(YamuxHeader.WindowUpdate(id, resetCode, YamuxFlags.Rst));
        return null;
    }

    private void OnAck(YamuxStream stream)
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

    private void OnPing(in YamuxHeader header)
    {
        if (header.Has(YamuxFlags.Syn))
        {
            SendProvoked(YamuxHeader.Ping(header.Length, response: true));
            return;
        }

        if (!header.Has(YamuxFlags.Ack))
        {
            return;
        }

        ActivePing? answered = null;
        lock (gate)
        {
            if (activePing?.Id == header.Length)
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
            answered.Pong.TrySetResult(rtt);
        }
    }

    private void OnGoAway(uint code)
    {
        if (code == (uint)YamuxGoAwayCode.Normal)
        {
            lock (gate)
            {
                remoteGoAway = code;
            }

            ackBacklog.Fault(Error.MuxerClosed("The remote peer sent GoAway: no new streams.", remote: true, code));

            // The peer is leaving: once our streams with it are done, the session is useless, so
            // close it rather than hold the connection until the peer (or keep-alive) ends it.
            CloseIfIdleAfterGoAway();
            return;
        }

        var error = Error.MuxerClosed($"The remote peer ended the session with GoAway code {code}.", remote: true, code);
        Terminate(error, error, goAway: null);
    }

    /// <summary>Queues a frame the peer asked for (pong, refusal); a peer provoking more than we can send is flooding.</summary>
    private void SendProvoked(in YamuxHeader header)
    {
        if (Interlocked.Increment(ref provokedFrames) > MaxProvokedFrames)
        {
            throw Error.Protocol($"The remote peer provoked more than {MaxProvokedFrames} replies without reading them.");
        }

        var item = OutboundItem.ForFrame(header, provoked: true);
        if (!TryQueueControl(item))
        {
            item.Frame.Return();
        }
    }
}
