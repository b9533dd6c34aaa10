namespace Rx.Network.Muxing;

/// <summary>
/// A <see cref="Stream"/> over an <see cref="IMuxedStream"/>: for protocol negotiation on a new
/// stream and for users who want a <see cref="Stream"/>. Reads never take more than asked, so
/// nothing is lost between negotiation and the protocol that follows.
/// </summary>
internal sealed class MuxedStreamAdapter : Stream
{
    private readonly IMuxedStream inner;
    private readonly Func<ValueTask>? onDispose;
    private int disposed;

    /// <param name="inner">The stream.</param>
    /// <param name="onDispose">What disposing the adapter does; by default, nothing (the adapter does not own the stream).</param>
    public MuxedStreamAdapter(IMuxedStream inner, Func<ValueTask>? onDispose = null)
    {
        this.inner = inner;
        this.onDispose = onDispose;
    }

    /// <inheritdoc/>
    public override bool CanRead => disposed == 0;

    /// <inheritdoc/>
    public override bool CanWrite => disposed == 0;

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

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

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
            await onDispose().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref disposed, 1) == 0 && onDispose is not null)
        {
            onDispose().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}
