using System.Buffers;

namespace Rx.Network.Transports;

/// <summary>
/// The stream under a <see cref="System.Net.WebSockets.WebSocket"/>: reads from <see cref="Inner"/>
/// through one pooled buffer, which starts with the bytes that followed the HTTP upgrade's head;
/// writes go straight through.
/// </summary>
/// <remarks>
/// Why: the WebSocket reads each frame's header and then its payload with separate reads, and
/// returns at most one frame per receive. Without a buffer, a connection carrying 16 KiB Noise
/// frames made two socket reads and one pipe flush per frame and ran at a third of TCP's speed;
/// with one, a socket read brings in many frames and <see cref="HasBufferedData"/> lets the
/// receive pump gather their payloads into one flush.
/// </remarks>
internal sealed class BufferedReadStream : Stream
{
    /// <summary>The buffer's size: 64 KiB, four 16 KiB Noise frames with their WebSocket headers.</summary>
    internal const int BufferSize = 64 * 1024;

    private byte[]? buffer;
    private int start;
    private int end;

    public BufferedReadStream(Stream inner, ReadOnlySpan<byte> leftover)
    {
        Inner = inner;
        buffer = ArrayPool<byte>.Shared.Rent(Math.Max(BufferSize, leftover.Length));
        leftover.CopyTo(buffer);
        end = leftover.Length;
    }

    public Stream Inner { get; }

    /// <summary>Whether bytes already read from <see cref="Inner"/> wait in the buffer.</summary>
    public bool HasBufferedData => end > start;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var own = buffer ?? throw new ObjectDisposedException(nameof(BufferedReadStream));
        if (end == start)
        {
            // Large reads go straight to the caller's memory (no copy); small ones fill the buffer.
            if (destination.Length >= own.Length)
            {
                return await Inner.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
            }

            start = 0;
            end = await Inner.ReadAsync(own.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (end == 0)
            {
                return 0;
            }
        }

        int n = Math.Min(destination.Length, end - start);
        own.AsSpan(start, n).CopyTo(destination.Span);
        start += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Only asynchronous reads are used.");

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
            ReturnBuffer();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await Inner.DisposeAsync().ConfigureAwait(false);
        ReturnBuffer();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void ReturnBuffer()
    {
        if (Interlocked.Exchange(ref buffer, null) is { } own)
        {
            ArrayPool<byte>.Shared.Return(own);
        }
    }
}
