using System.Buffers;
using System.Runtime.CompilerServices;

namespace Rx.Network.Mock.Peers;

internal sealed partial class MockStream
{
    // Bytes of the head chunk already read; guarded by the lock on received.
    private int headConsumed;

    // Pooled state machines: a reader usually waits (for the data, then for the FIN), and a flood
    // reads millions of streams.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TaskCompletionSource? signal = null;
            int read = 0;
            lock (received)
            {
                if (failure is not null)
                {
                    throw failure;
                }

                if (received.Count > 0)
                {
                    read = CopyReceived(buffer.Span);
                    unreturnedCredit += read;
                }
                else if (remoteFin || readClosed)
                {
                    return 0;
                }
                else
                {
                    if (readSignal is { Task.IsCompleted: true })
                    {
                        readSignal = null;
                    }

                    signal = readSignal ??= new TaskCompletionSource(connection.Network.ContinuationOptions);
                }
            }

            if (signal is null)
            {
                ReturnCredit(0, force: false);
                return read;
            }

            await WaitAsync(signal, cancellationToken).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await AcquireWriteAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int offset = 0;
            do
            {
                TaskCompletionSource? signal = null;
                int take = 0;
                lock (received)
                {
                    ThrowIfNotWritable();
                    if (buffer.Length == 0)
                    {
                        return;
                    }

                    if (sendCredit > 0)
                    {
                        take = (int)Math.Min(Math.Min(sendCredit, buffer.Length - offset), connection.Network.Options.ChunkSize);
                        sendCredit -= take;
                    }
                    else
                    {
                        if (creditSignal is { Task.IsCompleted: true })
                        {
                            creditSignal = null;
                        }

                        signal = creditSignal ??= new TaskCompletionSource(connection.Network.ContinuationOptions);
                    }
                }

                if (signal is not null)
                {
                    await WaitAsync(signal, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                SendData(buffer.Slice(offset, take));
                offset += take;
            }
            while (offset < buffer.Length);
        }
        finally
        {
            ReleaseWrite();
        }
    }

    public async ValueTask CloseWriteAsync(CancellationToken cancellationToken = default)
    {
        await AcquireWriteAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (received)
            {
                if (failure is not null)
                {
                    throw failure;
                }

                if (localFin)
                {
                    return;
                }

                localFin = true;
            }

            SendFin();
        }
        finally
        {
            ReleaseWrite();
        }
    }

    private static async Task WaitAsync(TaskCompletionSource signal, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            await signal.Task.ConfigureAwait(false);
            return;
        }

        // Waking the shared signal early is harmless: the caller loops and looks again.
        using (cancellationToken.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), signal))
        {
            await signal.Task.ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private void ThrowIfNotWritable()
    {
        if (failure is not null)
        {
            throw failure;
        }

        if (localFin)
        {
            throw new InvalidOperationException("The stream was closed for writing.");
        }
    }

    private void SendData(ReadOnlyMemory<byte> data)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(data.Length);
        data.Span.CopyTo(chunk);
        int count = data.Length;
        connection.Pair.Send(
            connection,
            LinkFrameKind.Data,
            Protocol,
            count,
            remote =>
            {
                if (remote.FindStream(StreamId) is { } target)
                {
                    target.OnData(chunk, count);
                }
                else
                {
                    // The remote end is gone (reset or closed): its reset is on its way to us.
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            },
            lost =>
            {
                ArrayPool<byte>.Shared.Return(chunk);
                if (Fail(new StreamResetException("A data frame of the stream was lost on the mock link; the stream was reset.", lost)))
                {
                    SendControl(remote => remote.FindStream(StreamId)?.Fail(new StreamResetException(remote: true)));
                }
            });
    }

    private int CopyReceived(Span<byte> destination)
    {
        int copied = 0;
        while (copied < destination.Length && received.TryPeek(out var head))
        {
            int take = Math.Min(head.Count - headConsumed, destination.Length - copied);
            head.Buffer.AsSpan(headConsumed, take).CopyTo(destination[copied..]);
            copied += take;
            headConsumed += take;
            if (headConsumed == head.Count)
            {
                received.Dequeue();
                headConsumed = 0;
                ArrayPool<byte>.Shared.Return(head.Buffer);
            }
        }

        return copied;
    }

    private (Chunk[] Chunks, int Bytes) TakeReceived()
    {
        var chunks = received.ToArray();
        int bytes = chunks.Sum(c => c.Count) - headConsumed;
        received.Clear();
        headConsumed = 0;
        return (chunks, bytes);
    }

    /// <summary>Adds consumed bytes to the credit owed to the writer and returns it once it is worth a frame.</summary>
    private void ReturnCredit(int consumed, bool force)
    {
        long delta;
        lock (received)
        {
            unreturnedCredit += consumed;
            if (unreturnedCredit == 0 || (!force && unreturnedCredit < connection.Network.Options.StreamWindow / 4) || failure is not null)
            {
                return;
            }

            delta = unreturnedCredit;
            unreturnedCredit = 0;
        }

        SendControl(remote => remote.FindStream(StreamId)?.OnCredit(delta));
    }

    private async ValueTask AcquireWriteAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource ticket;
        lock (received)
        {
            if (!writing)
            {
                writing = true;
                return;
            }

            ticket = new TaskCompletionSource(connection.Network.ContinuationOptions);
            (writers ??= new()).Enqueue(ticket);
        }

        // Granted (TrySetResult) and canceled (TrySetCanceled) race; whichever wins decides.
        using (cancellationToken.Register(static t => ((TaskCompletionSource)t!).TrySetCanceled(), ticket))
        {
            await ticket.Task.ConfigureAwait(false);
        }
    }

    private void ReleaseWrite()
    {
        while (true)
        {
            TaskCompletionSource? next;
            lock (received)
            {
                if (writers is null || !writers.TryDequeue(out next))
                {
                    writing = false;
                    return;
                }
            }

            if (next.TrySetResult())
            {
                return;
            }
        }
    }
}
