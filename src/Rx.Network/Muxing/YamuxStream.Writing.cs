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
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        sender.WriteAsync(data, cancellationToken);

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
        await sender.CloseAsync(lockHeld: false, cancellationToken).ConfigureAwait(false);
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

        if (sender.TryEnter())
        {
            try
            {
                await sender.CloseAsync(lockHeld: true, CancellationToken.None).ConfigureAwait(false);
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

    /// <summary>
    /// Marks the write side closed for the sender's FIN; <see langword="false"/> when it was closed
    /// already. <paramref name="finished"/> tells whether the read side had ended too (the stream
    /// is then done once the FIN left).
    /// </summary>
    /// <exception cref="StreamResetException">The stream was reset (or the session ended under it).</exception>
    internal bool TryCloseWriteSide(out bool finished)
    {
        lock (gate)
        {
            switch (writeState)
            {
                case HalfState.Closed:
                    finished = false;
                    return false;
                case HalfState.Reset:
                    throw writeError!;
            }

            writeState = HalfState.Closed;
            finished = readState != HalfState.Open;
            return true;
        }
    }

    /// <summary>Throws when the stream was disposed.</summary>
    /// <exception cref="ObjectDisposedException">It was.</exception>
    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    /// <summary>Throws when the write side no longer takes bytes (closed, reset, or the session ended).</summary>
    /// <exception cref="InvalidOperationException">The write side was closed.</exception>
    /// <exception cref="StreamResetException">The stream was reset.</exception>
    internal void ThrowIfCannotWrite()
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
}
