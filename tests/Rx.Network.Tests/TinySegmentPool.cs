using System.Buffers;

namespace Rx.Network.Tests;

/// <summary>
/// A memory pool of tiny blocks: a <see cref="System.IO.Pipelines.Pipe"/> built on it splits
/// every message across many segments, as a socket delivering data in pieces does.
/// </summary>
internal sealed class TinySegmentPool(int blockSize = 16) : MemoryPool<byte>
{
    public override int MaxBufferSize => blockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => new Block(new byte[blockSize]);

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(byte[] array) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory => array;

        public void Dispose()
        {
        }
    }
}
