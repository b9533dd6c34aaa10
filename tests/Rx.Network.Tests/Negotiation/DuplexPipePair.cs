using System.IO.Pipelines;

namespace Rx.Network.Tests.Negotiation;

/// <summary>Two cross-wired pipes: what one end writes, the other reads.</summary>
internal sealed class DuplexPipePair
{
    public DuplexPipePair()
    {
        var aToB = new Pipe();
        var bToA = new Pipe();
        A = new End(bToA.Reader, aToB.Writer);
        B = new End(aToB.Reader, bToA.Writer);
    }

    public End A { get; }

    public End B { get; }

    internal sealed class End(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;

        /// <summary>A readable and writable <see cref="Stream"/> over this end.</summary>
        public Stream AsStream() => new DuplexStream(Input.AsStream(leaveOpen: true), Output.AsStream(leaveOpen: true));
    }

    private sealed class DuplexStream(Stream reading, Stream writing) : Stream
    {
        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => reading.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => reading.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => reading.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => writing.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => writing.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => writing.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Flush() => writing.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => writing.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
