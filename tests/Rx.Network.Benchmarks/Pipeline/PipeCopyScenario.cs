using System.Buffers;
using System.IO.Pipelines;
using Rx.Network.Benchmarks.Support;

namespace Rx.Network.Benchmarks.Pipeline;

/// <summary>
/// The in-memory baseline: one <see cref="Pipe"/> bounded like a TCP connection's pumps (1 MiB,
/// resume at half), a writer copying 64 KiB chunks in and a reader consuming them.
/// </summary>
public sealed class PipeCopyScenario : ITransferScenario
{
    private readonly Pipe pipe = new(Pipes.ConnectionLike);
    private readonly byte[] chunk = Payload.CreateChunk();

    public Task TransferAsync(long bytes) => Task.WhenAll(WriteAsync(bytes), ReadAsync(bytes));

    public async ValueTask DisposeAsync()
    {
        await pipe.Writer.CompleteAsync().ConfigureAwait(false);
        await pipe.Reader.CompleteAsync().ConfigureAwait(false);
    }

    private async Task WriteAsync(long bytes)
    {
        for (long sent = 0; sent < bytes; sent += chunk.Length)
        {
            await pipe.Writer.WriteAsync(chunk).ConfigureAwait(false);
        }
    }

    private async Task ReadAsync(long bytes)
    {
        long received = 0;
        while (received < bytes)
        {
            var result = await pipe.Reader.ReadAsync().ConfigureAwait(false);
            received += result.Buffer.Length;
            pipe.Reader.AdvanceTo(result.Buffer.End);
        }
    }
}

/// <summary>Pipe settings shared by the in-memory scenarios.</summary>
public static class Pipes
{
    /// <summary>
    /// What <c>TcpConnection</c> gives its send direction: pooled 64 KiB segments, pause at 1 MiB,
    /// resume at 512 KiB, continuations on the thread pool.
    /// </summary>
    public static PipeOptions ConnectionLike { get; } = new(
        pool: MemoryPool<byte>.Shared,
        readerScheduler: PipeScheduler.ThreadPool,
        writerScheduler: PipeScheduler.ThreadPool,
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: 64 * 1024,
        useSynchronizationContext: false);
}
