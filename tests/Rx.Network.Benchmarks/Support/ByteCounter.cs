namespace Rx.Network.Benchmarks.Support;

/// <summary>
/// Counts bytes a long-lived reader drains and completes a task once an expected total is reached,
/// so a benchmark operation can wait for "the other side has read everything".
/// </summary>
public sealed class ByteCounter
{
    private readonly Lock gate = new();
    private long received;
    private long target;
    private TaskCompletionSource? waiter;

    /// <summary>Returns a task that completes once <paramref name="bytes"/> more bytes were counted.</summary>
    public Task Expect(long bytes)
    {
        lock (gate)
        {
            if (waiter is not null)
            {
                throw new InvalidOperationException("One transfer at a time.");
            }

            target = received + bytes;
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return waiter.Task;
        }
    }

    /// <summary>Counts bytes read.</summary>
    public void Add(int count)
    {
        TaskCompletionSource? done = null;
        lock (gate)
        {
            received += count;
            if (waiter is not null && received >= target)
            {
                done = waiter;
                waiter = null;
            }
        }

        done?.TrySetResult();
    }

    /// <summary>Fails the pending transfer (the reader died).</summary>
    public void Fail(Exception error)
    {
        TaskCompletionSource? pending;
        lock (gate)
        {
            pending = waiter;
            waiter = null;
        }

        pending?.TrySetException(error);
    }

    /// <summary>Reads <paramref name="stream"/> to its end with a 64 KiB buffer, counting.</summary>
    public async Task DrainAsync(IStream stream)
    {
        var buffer = new byte[Payload.ChunkSize];
        try
        {
            while (true)
            {
                int read = await stream.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                Add(read);
            }
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
    }
}
