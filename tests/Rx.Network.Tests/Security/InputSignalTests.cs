using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Security;

namespace Rx.Network.Tests.Security;

public class InputSignalTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WaitAsync_EmptyBlock_WaitsUntilNotified()
    {
        var block = new BufferBlock<PooledBuffer>();
        var signal = new InputSignal(block);

        var wait = signal.WaitAsync();
        Assert.False(wait.IsCompleted);
        signal.Notify(); // nothing was added yet: still a wake-up, the consumer just finds nothing
        Assert.True(await wait.AsTask().WaitAsync(TestTimeout));

        var second = signal.WaitAsync().AsTask();
        Assert.False(second.IsCompleted);
        Assert.True(block.Post(PooledBuffer.CopyOf([1, 2, 3])));
        signal.Notify();
        Assert.True(await second.WaitAsync(TestTimeout));
        Assert.True(block.TryReceive(out var chunk));
        Assert.Equal([1, 2, 3], chunk.Span.ToArray());
        chunk.Return();
    }

    [Fact]
    public async Task WaitAsync_ChunkAlreadyThere_CompletesAtOnce()
    {
        var block = new BufferBlock<PooledBuffer>();
        var signal = new InputSignal(block);
        Assert.True(block.Post(PooledBuffer.CopyOf([7])));

        var wait = signal.WaitAsync();
        Assert.True(wait.IsCompleted);
        Assert.True(await wait);
        Assert.True(block.TryReceive(out var chunk));
        chunk.Return();
    }

    [Fact]
    public async Task WaitAsync_NormalEnd_HandsOutWhatIsLeftThenFalse()
    {
        var block = new BufferBlock<PooledBuffer>();
        var signal = new InputSignal(block);
        var waiting = signal.WaitAsync().AsTask();

        Assert.True(block.Post(PooledBuffer.CopyOf([9])));
        block.Complete();
        signal.End(fault: false);

        // The last chunk came before the end: the consumer is told to take it.
        Assert.True(await waiting.WaitAsync(TestTimeout));
        Assert.True(block.TryReceive(out var chunk));
        chunk.Return();
        Assert.False(await signal.WaitAsync());
        await block.Completion.WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task WaitAsync_Fault_ReturnsFalse()
    {
        var block = new BufferBlock<PooledBuffer>();
        var signal = new InputSignal(block);
        var waiting = signal.WaitAsync().AsTask();

        ((IDataflowBlock)block).Fault(new IOException("gone"));
        signal.End(fault: true);

        Assert.False(await waiting.WaitAsync(TestTimeout));
        Assert.False(await signal.WaitAsync());
        await Assert.ThrowsAsync<IOException>(() => block.Completion.WaitAsync(TestTimeout));
    }
}
