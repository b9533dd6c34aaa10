using System.Buffers;
using System.IO.Pipelines;

namespace Rx.Network.Mock.Stack;

/// <summary>
/// The output of a mock connection: bytes written are buffered until a flush, and each flush hands
/// them to the link at once, at the current (virtual) time. The flush then waits only while the
/// remote has too much unread (<see cref="ReceiveCredit"/>). Completing without an error is a
/// half-close; with an error, a reset.
/// </summary>
/// <remarks>
/// A custom writer rather than a <see cref="Pipe"/> with a pump: the moment a flush is sent is the
/// moment the writer flushed, with no extra hop through the thread pool, so time stamps and chunk
/// boundaries on the link follow the writer exactly.
/// </remarks>
internal sealed class LinkPipeWriter : PipeWriter
{
    private const int MinimumBufferSize = 4096;

    private readonly StackConnection owner;
    private readonly ReceiveCredit remoteCredit;
    private byte[] buffer = [];
    private int written;
    private bool completed;

    public LinkPipeWriter(StackConnection owner, ReceiveCredit remoteCredit)
    {
        this.owner = owner;
        this.remoteCredit = remoteCredit;
    }

    /// <inheritdoc/>
    public override bool CanGetUnflushedBytes => true;

    /// <inheritdoc/>
    public override long UnflushedBytes => written;

    /// <inheritdoc/>
    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, buffer.Length - written);
        written += bytes;
    }

    /// <inheritdoc/>
    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return buffer.AsMemory(written);
    }

    /// <inheritdoc/>
    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return buffer.AsSpan(written);
    }

    /// <inheritdoc/>
    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(completed, this);
        try
        {
            SendBuffered();
        }
        catch (IOException e)
        {
            return ValueTask.FromException<FlushResult>(e);
        }

        return remoteCredit.WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public override void CancelPendingFlush() => remoteCredit.CancelPendingWait();

    /// <inheritdoc/>
    public override void Complete(Exception? exception = null)
    {
        if (completed)
        {
            return;
        }

        completed = true;
        try
        {
            if (exception is null)
            {
                SendBuffered();
                owner.SendEnd();
            }
            else
            {
                owner.Abort();
            }
        }
        catch (IOException)
        {
            // The connection already failed: there is nobody to half-close to.
        }
        finally
        {
            written = 0;
            ReturnBuffer();
        }
    }

    private void SendBuffered()
    {
        if (written == 0)
        {
            return;
        }

        // The link keeps the bytes until they arrive: they need an array of their own.
        var chunk = buffer.AsSpan(0, written).ToArray();
        written = 0;
        owner.Send(chunk);
    }

    private void Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(completed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int needed = written + Math.Max(sizeHint, 1);
        if (needed <= buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(MinimumBufferSize, buffer.Length * 2)));
        buffer.AsSpan(0, written).CopyTo(larger);
        ReturnBuffer();
        buffer = larger;
    }

    private void ReturnBuffer()
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        buffer = [];
    }
}
