using Rx.Network.Encoding;
using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

public class OutboundQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TryDequeue_ControlBeforeData_EachInOrder()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var queue = new OutboundQueue();
        var data1 = new PendingWrite(stream, PooledBuffer.Rent(1), 1);
        var data2 = new PendingWrite(stream, PooledBuffer.Rent(1), 1);
        Assert.True(queue.TryEnqueueData(data1));
        Assert.True(queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(1, false))));
        Assert.True(queue.TryEnqueueData(data2));
        Assert.True(queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(2, false))));

        Assert.True(queue.TryDequeue(out var item, out var write));
        Assert.Null(write);
        Assert.Equal(1u, YamuxHeader.ReadFrom(item.Frame.Span).Length);
        Assert.True(queue.TryDequeue(out item, out write));
        Assert.Equal(2u, YamuxHeader.ReadFrom(item.Frame.Span).Length);
        Assert.True(queue.TryDequeue(out _, out write));
        Assert.Same(data1, write);
        Assert.True(queue.TryDequeue(out _, out write));
        Assert.Same(data2, write);
        Assert.False(queue.TryDequeue(out _, out _));
    }

    [Fact]
    public async Task WaitAsync_WakesOnEnqueue_AndEndsAfterComplete()
    {
        var queue = new OutboundQueue();
        var waiting = queue.WaitAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.GoAway(0)));
        Assert.True(await waiting.WaitAsync(Timeout));

        queue.Complete();
        Assert.False(queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.GoAway(0))));
        Assert.True(await queue.WaitAsync());
        Assert.True(queue.TryDequeue(out _, out _));
        Assert.False(await queue.WaitAsync());
    }

    [Fact]
    public void Drain_ReturnsEverythingAndKeepsOnlyTheLastItem()
    {
        var queue = new OutboundQueue();
        queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(1, false)));
        var (control, data) = queue.Drain(OutboundItem.ForFrame(YamuxHeader.GoAway(1)));
        Assert.Single(control);
        Assert.Empty(data);
        Assert.True(queue.TryDequeue(out var last, out _));
        Assert.Equal(YamuxHeader.GoAway(1), YamuxHeader.ReadFrom(last.Frame.Span));
        Assert.False(queue.TryDequeue(out _, out _));
    }

    [Fact]
    public async Task PendingWrite_ClaimAndCancel_ExactlyOneWins()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var claimed = new PendingWrite(stream, default, 0);
        Assert.True(claimed.TryClaim());
        Assert.False(claimed.TryCancel());
        var cancelled = new PendingWrite(stream, default, 0);
        Assert.True(cancelled.TryCancel());
        Assert.False(cancelled.TryClaim());
    }

    [Fact]
    public async Task WaitAsync_ManyTimesInARow_EachWaitWakesOnce()
    {
        // The writer's wait is one reusable source: every round must wake exactly its own wait.
        var queue = new OutboundQueue();
        for (int round = 0; round < 100; round++)
        {
            var waiting = queue.WaitAsync().AsTask();
            Assert.False(waiting.IsCompleted);
            var enqueue = Task.Run(() => queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.Ping((uint)round, false))));
            Assert.True(await waiting.WaitAsync(Timeout));
            Assert.True(await enqueue.WaitAsync(Timeout));
            Assert.True(queue.TryDequeue(out var item, out _));
            Assert.Equal((uint)round, YamuxHeader.ReadFrom(item.Frame.Span).Length);
            item.Frame.Return();
        }

        var last = queue.WaitAsync().AsTask();
        queue.Complete();
        Assert.False(await last.WaitAsync(Timeout));
    }

    [Fact]
    public async Task PendingWrite_Reuse_CompletesEachFrameOnce()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var write = new PendingWrite(stream, default, 1);
        for (int frame = 0; frame < 3; frame++)
        {
            var completion = write.Completion.AsTask();
            Assert.False(completion.IsCompleted);
            Assert.True(write.TryClaim());
            Assert.False(write.TryCancel());
            write.Succeed();
            await completion.WaitAsync(Timeout);
            Assert.Same(write, write.Reuse(default, frame + 2));
            Assert.Equal(frame + 2, write.Credit);
        }

        var failed = write.Completion.AsTask();
        Assert.True(write.TryClaim());
        write.Fail(new IOException("gone"));
        await Assert.ThrowsAsync<IOException>(() => failed.WaitAsync(Timeout));
    }
}
