namespace Rx.Network.Transports;

/// <summary>
/// A stream that first yields bytes already read from <see cref="Inner"/> (what followed an HTTP
/// upgrade's head in the same read), then reads and writes <see cref="Inner"/> directly.
/// </summary>
internal sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
{
    private byte[] prefix = prefix;
    private int offset;

    public Stream Inner { get; } = inner;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (offset < prefix.Length)
        {
            int n = Math.Min(buffer.Length, prefix.Length - offset);
            prefix.AsSpan(offset, n).CopyTo(buffer.Span);
            offset += n;
            if (offset == prefix.Length)
            {
                prefix = [];
                offset = 0;
            }

            return ValueTask.FromResult(n);
        }

        return Inner.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (this.offset < prefix.Length)
        {
            int n = Math.Min(count, prefix.Length - this.offset);
            prefix.AsSpan(this.offset, n).CopyTo(buffer.AsSpan(offset));
            this.offset += n;
            return n;
        }

        return Inner.Read(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        Inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);

    public override void Flush() => Inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await Inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
