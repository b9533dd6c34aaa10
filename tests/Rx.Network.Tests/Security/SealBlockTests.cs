using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Security;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security;

/// <summary>
/// The seal stage's contract as a Dataflow target block (ADR 0004, ADR 0011 §3): bounded with
/// postponement, a clean completion that flushes first, a fault that returns what it holds, one
/// frame per burst of small writes, and one task per burst on the scheduler it is given.
/// </summary>
public sealed class SealBlockTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Full_DeclinesAPost_AndASendWaitsForRoom()
    {
        var codec = new GatedCodec();
        var (block, reader, _) = Create(codec, capacity: 2);

        // The first chunk holds the processing task inside Seal; two more fill the queue.
        Assert.True(block.Post(PooledBuffer.CopyOf(new byte[5000])));
        Assert.True(codec.FirstSealStarted.Wait(Timeout));
        Assert.True(block.Post(PooledBuffer.CopyOf(new byte[10])));
        Assert.True(block.Post(PooledBuffer.CopyOf(new byte[20])));

        var declined = PooledBuffer.CopyOf(new byte[30]);
        Assert.False(block.Post(declined));
        declined.Return();
        var waiting = block.SendAsync(PooledBuffer.CopyOf(new byte[40]));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(2, block.QueuedCount);

        codec.Release.Set();
        Assert.True(await waiting.WaitAsync(Timeout));
        block.Complete();
        await block.Completion.WaitAsync(Timeout);
        Assert.Equal(5070, await ReadToEndAsync(reader));
    }

    [Fact]
    public async Task Complete_SealsAndFlushesWhatWasAccepted_ThenHalfCloses_AndDeclinesLaterOffers()
    {
        var codec = new GatedCodec();
        var (block, reader, _) = Create(codec, capacity: 4);
        Assert.True(block.Post(PooledBuffer.CopyOf(new byte[5000])));
        Assert.True(codec.FirstSealStarted.Wait(Timeout));
        Assert.True(block.Post(PooledBuffer.CopyOf(new byte[7])));
        block.Complete();

        var late = PooledBuffer.CopyOf(new byte[1]);
        Assert.False(await block.SendAsync(late));
        late.Return();
        Assert.False(block.Completion.IsCompleted);

        codec.Release.Set();
        await block.Completion.WaitAsync(Timeout);
        Assert.Equal(TaskStatus.RanToCompletion, block.Completion.Status);
        Assert.Equal(5007, await ReadToEndAsync(reader));
    }

    [Fact]
    public async Task Fault_ReturnsQueuedChunks_DeclinesAWaitingSender_AndFaultsCompletionAndThePipe()
    {
        var codec = new GatedCodec();
        var (block, reader, aborted) = Create(codec, capacity: 2);
        Assert.True(block.Post(PooledBuffer.CopyOf(new byte[5000])));
        Assert.True(codec.FirstSealStarted.Wait(Timeout));

        // Two queued chunks in arrays of two different pool buckets, and a sender waiting behind them.
        var small = PooledBuffer.Rent(3000);
        var large = PooledBuffer.Rent(6000);
        Assert.True(block.Post(small));
        Assert.True(block.Post(large));
        var pending = PooledBuffer.Rent(100);
        var waiting = block.SendAsync(pending);
        Assert.False(waiting.IsCompleted);

        var reason = new IOException("test abort");
        block.Fault(reason);

        // The queued chunks went back to the pool on this thread, at once: the pool hands them out again here.
        var again = new[] { ArrayPool<byte>.Shared.Rent(3000), ArrayPool<byte>.Shared.Rent(6000) };
        Assert.Same(small.Array, again[0]);
        Assert.Same(large.Array, again[1]);
        ArrayPool<byte>.Shared.Return(again[0]);
        ArrayPool<byte>.Shared.Return(again[1]);

        // The waiting sender keeps its chunk.
        Assert.False(await waiting.WaitAsync(Timeout));
        pending.Return();
        var rejected = PooledBuffer.Rent(1);
        Assert.False(block.Post(rejected));
        rejected.Return();

        codec.Release.Set();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => block.Completion.WaitAsync(Timeout));
        Assert.Same(reason, e);
        Assert.Same(reason, await aborted.Task.WaitAsync(Timeout));
        var pipeEnd = await Assert.ThrowsAnyAsync<Exception>(async () => await ReadToEndAsync(reader));
        Assert.Same(reason, pipeEnd);
    }

    [Fact]
    public async Task Fault_WhileIdle_CompletesThePipeWithTheReason()
    {
        var (block, reader, _) = Create(new GatedCodec(open: true), capacity: 2);
        Assert.True(await block.SendAsync(PooledBuffer.CopyOf([1, 2, 3])));
        var first = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(3, first.Buffer.Length);
        reader.AdvanceTo(first.Buffer.End);

        var reason = new IOException("idle abort");
        block.Fault(reason);
        Assert.Same(reason, await Assert.ThrowsAnyAsync<Exception>(() => block.Completion.WaitAsync(Timeout)));
        Assert.Same(reason, await Assert.ThrowsAnyAsync<Exception>(async () => await ReadToEndAsync(reader)));
    }

    [Fact]
    public async Task SmallChunksQueuedTogether_AreSealedAsOneFrame_ALargeOneOnItsOwn()
    {
        var codec = new GatedCodec();
        var (block, reader, _) = Create(codec, capacity: 16);
        Assert.True(block.Post(PooledBuffer.CopyOf(new byte[5000])));
        Assert.True(codec.FirstSealStarted.Wait(Timeout));
        for (int i = 0; i < 10; i++)
        {
            Assert.True(block.Post(PooledBuffer.CopyOf(new byte[100])));
        }

        Assert.True(block.Post(PooledBuffer.CopyOf(new byte[SealBlock.DirectSealThreshold])));
        Assert.True(block.Post(PooledBuffer.CopyOf(new byte[50])));
        codec.Release.Set();
        block.Complete();
        await block.Completion.WaitAsync(Timeout);

        Assert.Equal(5000 + 1000 + SealBlock.DirectSealThreshold + 50, await ReadToEndAsync(reader));
        Assert.Equal([5000, 1000, SealBlock.DirectSealThreshold, 50], codec.Sealed.ToArray());
    }

    [Fact]
    public async Task Processing_IsOneTaskPerBurst_OnTheGivenScheduler()
    {
        var scheduler = new CountingScheduler();
        var codec = new GatedCodec();
        var (block, reader, _) = Create(codec, capacity: 16, scheduler);

        // A burst: the task an idle block starts drains what queues while it runs.
        Assert.True(block.Post(PooledBuffer.CopyOf(new byte[5000])));
        Assert.True(codec.FirstSealStarted.Wait(Timeout));
        for (int i = 0; i < 5; i++)
        {
            Assert.True(block.Post(PooledBuffer.CopyOf(new byte[10])));
        }

        codec.Release.Set();
        Assert.Equal(5050, await ReadAsync(reader, 5050));
        Assert.Equal(1, scheduler.Queued);
        Assert.True(scheduler.RanOnIt);
        Assert.Equal([5000, 50], codec.Sealed.ToArray());
        block.Complete();
        await block.Completion.WaitAsync(Timeout);
    }

    private static (SealBlock Block, PipeReader Reader, TaskCompletionSource<Exception> Aborted) Create(IFrameCodec codec, int capacity, TaskScheduler? scheduler = null)
    {
        var (local, remote) = DuplexPipe.CreatePair();
        var aborted = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var block = new SealBlock(
            new SealOutput(local.Output, codec),
            new SecureChannelOptions { OutputCapacity = capacity },
            memory: null,
            scheduler ?? TaskScheduler.Default,
            e => aborted.TrySetResult(e),
            CancellationToken.None);
        return (block, remote.Input, aborted);
    }

    private static async Task<long> ReadToEndAsync(PipeReader reader)
    {
        long received = 0;
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            received += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return received;
            }
        }
    }

    private static async Task<long> ReadAsync(PipeReader reader, long count)
    {
        long received = 0;
        while (received < count)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            received += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
        }

        return received;
    }

    /// <summary>The thread pool, counting the tasks queued to it and whether they ran under it.</summary>
    private sealed class CountingScheduler : TaskScheduler
    {
        [ThreadStatic]
        private static bool running;

        private int queued;
        private volatile bool ranOnIt;

        public int Queued => Volatile.Read(ref queued);

        public bool RanOnIt => ranOnIt;

        protected override void QueueTask(Task task)
        {
            Interlocked.Increment(ref queued);
            ThreadPool.UnsafeQueueUserWorkItem(
                _ =>
                {
                    running = true;
                    ranOnIt = true;
                    try
                    {
                        TryExecuteTask(task);
                    }
                    finally
                    {
                        running = false;
                    }
                },
                null);
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => running && TryExecuteTask(task);

        protected override IEnumerable<Task>? GetScheduledTasks() => null;
    }
}
