namespace Rx.Network.Transports;

/// <summary>
/// The library's one <see cref="Stream"/> adapter: a <see cref="Stream"/> over an
/// <see cref="IByteDuplex"/> (a stream's <c>AsStream()</c>, multistream-select on a new stream,
/// the muxer's negotiation on a secured channel). Reads never take more than asked, so nothing is
/// lost between a negotiation and the protocol that follows it.
/// </summary>
/// <remarks>
/// Disposing runs the owner's close (for <c>AsStream()</c>, the stream's graceful close) once.
/// <see cref="DisposeAsync"/> awaits it; the synchronous <see cref="Stream.Dispose()"/> only
/// starts it and returns, so that no thread blocks on the network (a close waits for its FIN to be
/// handed to the connection, which a peer that stops reading delays up to the muxer's close
/// deadline). The synchronous <see cref="Read"/> and <see cref="Write"/> do block, as
/// <see cref="Stream"/> requires.
/// </remarks>
internal sealed class DuplexStream : Stream
{
    private readonly IByteDuplex inner;
    private readonly Func<ValueTask>? onDispose;
    private readonly TaskScheduler? tasks;
    private int disposed;

    /// <summary>An adapter that does not own <paramref name="inner"/>: disposing it does nothing to the bytes.</summary>
    /// <param name="inner">The bytes.</param>
    public DuplexStream(IByteDuplex inner)
    {
        this.inner = inner;
    }

    /// <summary>An adapter whose disposal closes what it adapts.</summary>
    /// <param name="inner">The bytes.</param>
    /// <param name="onDispose">What disposing the adapter does (a stream's graceful close).</param>
    /// <param name="tasks">Where the synchronous <see cref="Stream.Dispose()"/> observes the close's failure: the network's <c>NetworkScheduler.Tasks</c>.</param>
    public DuplexStream(IByteDuplex inner, Func<ValueTask> onDispose, TaskScheduler tasks)
    {
        this.inner = inner;
        this.onDispose = onDispose;
        this.tasks = tasks;
    }

    /// <inheritdoc/>
    public override bool CanRead => Volatile.Read(ref disposed) == 0;

    /// <inheritdoc/>
    public override bool CanWrite => Volatile.Read(ref disposed) == 0;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Completes when the close started by disposing (either way) has finished; completed when there was none.</summary>
    internal Task Closed { get; private set; } = Task.CompletedTask;

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        return inner.ReadAsync(buffer, cancellationToken);
    }

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0 && onDispose is not null)
        {
            Closed = onDispose().AsTask();
            await Closed.ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref disposed, 1) == 0 && onDispose is not null)
        {
            // Started, not awaited: the close is bounded by the muxer's deadline and never throws
            // for a reason the caller could act on; its failure is observed here.
            Closed = onDispose().AsTask();
            _ = Closed.ContinueWith(
                static t => _ = t.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                tasks!);
        }

        base.Dispose(disposing);
    }
}
