using System.Runtime.CompilerServices;
using Rx.Network.Encoding;

namespace Rx.Network.Muxing;

internal sealed partial class YamuxStream
{
    /// <summary>
    /// Writes <paramref name="data"/> as data frames, waiting for send window when the peer has
    /// not granted enough; returns once every byte is queued for the connection.
    /// </summary>
    /// <remarks>
    /// A stream keeps at most one data frame queued: before queuing another it waits until the
    /// previous one was handed to the connection, so a writer is never more than one frame (at
    /// most <see cref="YamuxOptions.MaxFrameSize"/> bytes) ahead of the connection. While that frame
    /// still waits, the next write appends to it rather than cutting a new one: under load, writes
    /// of any size become full frames. A frame that later fails (reset, session ended) fails the
    /// next write or close.
    /// </remarks>
    /// <param name="data">The bytes; empty writes nothing.</param>
    /// <param name="cancellationToken">
    /// Stops waiting. If nothing of this call was queued yet, the stream stays usable; if some
    /// bytes already were, the stream is reset so the peer never mistakes the truncated write for
    /// a complete one.
    /// </param>
    /// <exception cref="InvalidOperationException">The write side was closed with <see cref="CloseWriteAsync"/>.</exception>
    /// <exception cref="StreamResetException">The stream was reset (by either side).</exception>
    /// <exception cref="MuxerClosedException">The session ended.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfCannotWrite();

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
                    Reset();
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
                            Reset();
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
                YamuxHeader.Data(Id, (uint)credit).WriteTo(frame.Span);
                data.Span[..credit].CopyTo(frame.Span[YamuxHeader.Size..]);
                var write = spareWrite?.Reuse(frame, credit, capacity) ?? new PendingWrite(this, frame, credit, capacity);
                spareWrite = null;
                if (!session.TryQueue(write))
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
    /// Half-closes the stream (FIN): we send nothing more, the remote may keep writing and we keep
    /// reading. Returns once the FIN was handed to the connection. Closing twice does nothing.
    /// </summary>
    /// <remarks>
    /// The FIN waits behind the data written before it, which a peer that stops reading can hold
    /// up for good once the connection's buffers are full: after
    /// <see cref="YamuxOptions.CloseTimeout"/> (on the session's clock) of waiting for it the
    /// stream is reset and the close fails with <see cref="TimeoutException"/>.
    /// </remarks>
    /// <param name="cancellationToken">Stops waiting for earlier writes to finish; once queued, the FIN is sent regardless.</param>
    /// <exception cref="StreamResetException">The stream was reset before it could be closed.</exception>
    /// <exception cref="TimeoutException">The FIN could not be handed to the connection in time; the stream was reset.</exception>
    /// <exception cref="MuxerClosedException">The session ended.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async ValueTask CloseWriteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await CloseWriteCoreAsync(lockHeld: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the stream as go-libp2p's <c>Close</c> does: for writing (FIN, sent if not yet) and
    /// for reading (unread bytes are dropped, later ones ignored), then forgets it. It does not wait
    /// for the remote's FIN, nor reset: bytes we wrote are delivered.
    /// </summary>
    /// <remarks>
    /// Never throws: a stream already reset, or whose session ended, just releases its resources.
    /// A write still in progress on another thread cannot be followed by a clean FIN, so disposing
    /// then resets the stream (the write fails with <see cref="StreamResetException"/>). Waits for
    /// the FIN to be handed to the connection, like any write, but at most
    /// <see cref="YamuxOptions.CloseTimeout"/>: then the stream is reset.
    /// </remarks>
    public async ValueTask DisposeAsync()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
        }

        if (writeLock.Wait(0))
        {
            try
            {
                await CloseWriteCoreAsync(lockHeld: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // Reset or session gone: there is no write side left to close.
            }
            catch (TimeoutException)
            {
                // The FIN could not leave in time; the stream was reset.
            }
        }
        else
        {
            Reset();
        }

        TaskCompletionSource? wake;
        lock (gate)
        {
            if (readState == HalfState.Open)
            {
                readState = HalfState.Reset;
                readError = new ObjectDisposedException(ToString());
            }

            receiveWindow.Consume(received.Clear());
            wake = TakeReadSignal();
        }

        wake?.TrySetResult();
        session.Forget(this);

        // Nothing is buffered any more; a stream the session had already forgotten gives back here
        // what its unread bytes held.
        resources?.Dispose();
    }

    private async ValueTask CloseWriteCoreAsync(bool lockHeld, CancellationToken cancellationToken)
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
            lock (gate)
            {
                switch (writeState)
                {
                    case HalfState.Closed:
                        return;
                    case HalfState.Reset:
                        throw writeError!;
                }

                writeState = HalfState.Closed;
                finished = readState != HalfState.Open;
            }

            // FIN rides with the data (not the control queue) so it cannot overtake a data frame.
            fin = new PendingWrite(this, FrameOf(YamuxHeader.WindowUpdate(Id, 0, YamuxFlags.Fin)), 0);
            if (!session.TryQueue(fin))
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
                    _ = handedOver.ContinueWith(
                        static t => _ = t.Exception,
                        CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }
            }
        }
        finally
        {
            writeLock.Release();
        }

        if (timedOut)
        {
            Reset();
            throw new TimeoutException($"The FIN of {this} could not be handed to the connection within {closeTimeout} (the peer is not reading); the stream was reset.");
        }

        if (finished)
        {
            session.Forget(this);
        }
    }

    private void ThrowIfCannotWrite()
    {
        lock (gate)
        {
            switch (writeState)
            {
                case HalfState.Closed:
                    throw new InvalidOperationException($"The write side of {this} is closed.");
                case HalfState.Reset:
                    throw writeError!;
            }
        }
    }

    private static PooledBuffer FrameOf(in YamuxHeader header)
    {
        var frame = PooledBuffer.Rent(YamuxHeader.Size);
        header.WriteTo(frame.Span);
        return frame;
    }
}
