using System.Runtime.CompilerServices;
using Rx.Network.Encoding;
using Rx.Network.Reactive;

namespace Rx.Network.Muxing;

/// <summary>
/// The send half of a <see cref="YamuxStream"/>: cuts written bytes into data frames bounded by
/// the send window (credit from the peer, <see cref="Credit"/>) and the maximum frame size,
/// queues them to the session's writer one frame at a time, and hands over the FIN.
/// </summary>
/// <remarks>
/// <para>Contract: writes and the close are serialized by the sender's write lock. The stream's
/// state (open, half-closed, reset) stays the stream's: the sender asks it before writing
/// (<see cref="YamuxStream.ThrowIfCannotWrite"/>) and to close its write side
/// (<see cref="YamuxStream.TryCloseWriteSide"/>), and resets it when a write is cut short or a FIN
/// cannot leave in time. The stream feeds window updates in (<see cref="OnWindowUpdate"/>) and
/// faults the credit when it is reset or the session ends (<see cref="Fault"/>).</para>
/// </remarks>
internal sealed class YamuxStreamSender
{
    private readonly YamuxStream stream;
    private readonly YamuxSession session;
    private readonly Credit sendWindow = new(YamuxHeader.InitialWindow);
    // An AsyncGate rather than a SemaphoreSlim (ADR 0011 §2): a contended writer resumes through
    // the network's scheduler, in order, instead of wherever the semaphore sends it.
    private readonly AsyncGate writeLock;
    private readonly int maxFrameSize;
    private readonly TimeProvider time;
    private readonly TimeSpan closeTimeout;

    // The data frame queued last, until a later write or close finds it handed over; while the
    // session's writer has not taken it, later writes append to it. Guarded by writeLock.
    private PendingWrite? queuedFrame;

    // A finished frame's hand-off, reused by the next one (see PendingWrite); guarded by writeLock.
    private PendingWrite? spareWrite;

    /// <summary>Creates the send half of <paramref name="stream"/>.</summary>
    /// <param name="stream">The stream whose bytes this sends.</param>
    /// <param name="session">The session whose writer takes the frames.</param>
    /// <param name="options">The maximum frame size and the close timeout.</param>
    /// <param name="time">The clock for the FIN's deadline.</param>
    public YamuxStreamSender(YamuxStream stream, YamuxSession session, YamuxOptions options, TimeProvider time)
    {
        writeLock = new AsyncGate(1, session.Scheduler);
        this.stream = stream;
        this.session = session;
        maxFrameSize = options.MaxFrameSize;
        this.time = time;
        closeTimeout = options.CloseTimeout;
    }

    /// <summary>Send credit on hand.</summary>
    public long Credit => sendWindow.Available;

    /// <summary>The peer granted more send window.</summary>
    public void OnWindowUpdate(uint delta) => sendWindow.Release(delta);

    /// <summary>The stream was reset or its session ended: writers waiting for credit fail with <paramref name="error"/>.</summary>
    public void Fault(Exception error) => sendWindow.Fault(error);

    /// <summary>Takes the write lock if no write or close holds it (for a dispose that must not wait).</summary>
    public bool TryEnter() => writeLock.TryEnter();

    /// <summary>The body of <see cref="YamuxStream.WriteAsync"/> (which documents it).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        stream.ThrowIfDisposed();
        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            stream.ThrowIfCannotWrite();

            // A write longer than one frame is a bulk writer: its frames get room to grow to a full frame.
            var bulk = data.Length > maxFrameSize;
            var queuedSome = false;
            while (!data.IsEmpty)
            {
                var last = queuedFrame;
                int room = last?.Room ?? 0;
                int credit;
                try
                {
                    credit = await sendWindow.RequestAsync(Math.Min(data.Length, room > 0 ? room : maxFrameSize), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (queuedSome)
                {
                    stream.Reset();
                    throw;
                }

                if (room > 0 && last!.TryAppend(data.Span[..credit]))
                {
                    queuedSome = true;
                    data = data[credit..];
                    continue;
                }

                // At most one data frame of a stream is queued: the last one must leave first.
                if (last is not null)
                {
                    // The writer may not have started yet: start it here rather than suspend for it.
                    session.HelpWriter();
                    try
                    {
                        await last.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        // It may still leave: the next write or close waits for it again.
                        sendWindow.Release(credit);
                        if (queuedSome)
                        {
                            stream.Reset();
                        }

                        throw;
                    }
                    catch
                    {
                        queuedFrame = null;
                        throw;
                    }

                    queuedFrame = null;
                    if (last.IsReusable)
                    {
                        spareWrite = last;
                    }
                }

                int size = YamuxHeader.Size + credit;
                int capacity = bulk ? YamuxHeader.Size + maxFrameSize : size;
                var frame = PooledBuffer.Rent(capacity).WithLength(size);
                YamuxHeader.Data(stream.Id, (uint)credit).WriteTo(frame.Span);
                data.Span[..credit].CopyTo(frame.Span[YamuxHeader.Size..]);
                var write = spareWrite?.Reuse(frame, credit, capacity) ?? new PendingWrite(stream, frame, credit, capacity);
                spareWrite = null;
                var queued = session.QueueAsync(write);
                if (!(queued.IsCompletedSuccessfully ? queued.Result : await queued.ConfigureAwait(false)))
                {
                    frame.Return();
                    throw session.CurrentStreamError();
                }

                queuedFrame = write;
                queuedSome = true;
                data = data[credit..];
            }
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>
    /// Closes the write side (FIN) and waits, at most <see cref="YamuxOptions.CloseTimeout"/>, for
    /// the FIN to be handed to the connection; the body of <see cref="YamuxStream.CloseWriteAsync"/>.
    /// </summary>
    /// <param name="lockHeld">Whether the caller already holds the write lock (<see cref="TryEnter"/>).</param>
    /// <param name="cancellationToken">Stops waiting for the write lock.</param>
    public async ValueTask CloseAsync(bool lockHeld, CancellationToken cancellationToken)
    {
        if (!lockHeld)
        {
            await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        bool finished;
        bool timedOut = false;
        PendingWrite fin;
        try
        {
            if (!stream.TryCloseWriteSide(out finished))
            {
                return;
            }

            // FIN rides with the data (not the control queue) so it cannot overtake a data frame.
            fin = new PendingWrite(stream, FrameOf(YamuxHeader.WindowUpdate(stream.Id, 0, YamuxFlags.Fin)), 0);
            var queued = session.QueueAsync(fin);
            if (!(queued.IsCompletedSuccessfully ? queued.Result : await queued.ConfigureAwait(false)))
            {
                fin.Frame.Return();
                throw session.CurrentStreamError();
            }

            // The queue is in order: once the FIN left, so did the last data frame.
            queuedFrame = null;
            var sent = fin.WaitAsync(CancellationToken.None);
            if (sent.IsCompleted)
            {
                await sent.ConfigureAwait(false);
            }
            else
            {
                // A peer that stops reading can hold the FIN behind our data for good: bounded.
                var handedOver = sent.AsTask();
                try
                {
                    await handedOver.WaitAsync(closeTimeout, time, CancellationToken.None).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    timedOut = true;
                    session.Observe(handedOver);
                }
            }
        }
        finally
        {
            writeLock.Release();
        }

        if (timedOut)
        {
            stream.Reset();
            throw new TimeoutException($"The FIN of {stream} could not be handed to the connection within {closeTimeout} (the peer is not reading); the stream was reset.");
        }

        if (finished)
        {
            session.Forget(stream);
        }
    }

    private static PooledBuffer FrameOf(in YamuxHeader header)
    {
        var frame = PooledBuffer.Rent(YamuxHeader.Size);
        header.WriteTo(frame.Span);
        return frame;
    }
}
