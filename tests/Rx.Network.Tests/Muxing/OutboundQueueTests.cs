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
        Assert.True(queue.TryEnqueueData(data1, out _));
        Assert.True(queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(1, false)), out _));
        Assert.True(queue.TryEnqueueData(data2, out _));
        Assert.True(queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(2, false)), out _));

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
    public async Task SmallFrames_OvertakeQueuedBulkFrames_ControlStillFirst()
    {
        await using var pair = new SessionPair();
        var (bulkStream, _) = await pair.OpenAsync();
        var (chatty, _) = await pair.OpenAsync();
        var queue = new OutboundQueue();
        var bulk = Bulk(bulkStream, 60_000);
        var ping = Small(chatty, 32);
        Assert.True(queue.TryEnqueueData(bulk, out _));
        Assert.True(queue.TryEnqueueData(ping, out _));
        Assert.True(queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(1, false)), out _));

        Assert.True(queue.TryDequeue(out _, out var write));
        Assert.Null(write);
        Assert.True(queue.TryDequeue(out _, out write));
        Assert.Same(ping, write);
        Assert.True(queue.TryDequeue(out _, out write));
        Assert.Same(bulk, write);
        Assert.False(queue.TryDequeue(out _, out _));
        Release(bulk, ping);
    }

    [Fact]
    public async Task SmallFrames_AboveTheLimit_WaitInTheBulkLane()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var queue = new OutboundQueue();
        var bulk = Bulk(stream, 60_000);
        var large = Small(stream, OutboundQueue.SmallFrameLimit + 1); // cannot grow, but too big for the small lane
        queue.TryEnqueueData(bulk, out _);
        queue.TryEnqueueData(large, out _);

        Assert.True(queue.TryDequeue(out _, out var write));
        Assert.Same(bulk, write);
        Assert.True(queue.TryDequeue(out _, out write));
        Assert.Same(large, write);
        Release(bulk, large);
    }

    [Fact]
    public async Task SmallLane_CannotStarveTheBulkLane()
    {
        // Small frames keep coming; a waiting bulk frame still leaves after at most SmallBurstLimit bytes of them.
        await using var pair = new SessionPair();
        var (bulkStream, _) = await pair.OpenAsync();
        var (chatty, _) = await pair.OpenAsync();
        var queue = new OutboundQueue();
        var bulk = Bulk(bulkStream, 60_000);
        queue.TryEnqueueData(bulk, out _);
        var smalls = new List<PendingWrite>();
        int smallBytes = 0;
        while (true)
        {
            var next = Small(chatty, OutboundQueue.SmallFrameLimit);
            smalls.Add(next);
            queue.TryEnqueueData(next, out _);
            Assert.True(queue.TryDequeue(out _, out var write));
            if (ReferenceEquals(write, bulk))
            {
                break;
            }

            smallBytes += write!.Frame.Length;
            Assert.True(smallBytes <= OutboundQueue.SmallBurstLimit + YamuxHeader.Size + OutboundQueue.SmallFrameLimit, $"{smallBytes} bytes of small frames went before the bulk frame");
        }

        Assert.True(smallBytes >= OutboundQueue.SmallBurstLimit);
        Release([bulk, .. smalls]);
    }

    [Fact]
    public async Task Fin_TakesTheLaneOfItsStreamsQueuedData_NeverOvertakingIt()
    {
        await using var pair = new SessionPair();
        var (bulkStream, _) = await pair.OpenAsync();
        var (chatty, _) = await pair.OpenAsync();
        var queue = new OutboundQueue();
        var bulk = Bulk(bulkStream, 60_000);
        var bulkFin = Fin(bulkStream);
        var ping = Small(chatty, 32);
        var chattyFin = Fin(chatty);
        queue.TryEnqueueData(bulk, out _);
        queue.TryEnqueueData(bulkFin, out _);
        queue.TryEnqueueData(ping, out _);
        queue.TryEnqueueData(chattyFin, out _);

        var order = new List<PendingWrite>();
        while (queue.TryDequeue(out _, out var write))
        {
            order.Add(write!);
        }

        Assert.Equal([ping, chattyFin, bulk, bulkFin], order);

        // With nothing of its stream in the bulk lane, a FIN goes in the small lane.
        var again = Bulk(bulkStream, 60_000);
        var lateFin = Fin(chatty);
        queue.TryEnqueueData(again, out _);
        queue.TryEnqueueData(lateFin, out _);
        Assert.True(queue.TryDequeue(out _, out var first));
        Assert.Same(lateFin, first);
        Release([.. order, again, lateFin]);
    }

    /// <summary>A bulk writer's frame: room to grow to a full frame.</summary>
    private static PendingWrite Bulk(YamuxStream stream, int payload) =>
        new(stream, PooledBuffer.Rent(YamuxHeader.Size + YamuxOptions.DefaultMaxFrameSize).WithLength(YamuxHeader.Size + payload), payload, YamuxHeader.Size + YamuxOptions.DefaultMaxFrameSize);

    /// <summary>A frame that cannot grow.</summary>
    private static PendingWrite Small(YamuxStream stream, int payload) =>
        new(stream, PooledBuffer.Rent(YamuxHeader.Size + payload).WithLength(YamuxHeader.Size + payload), payload);

    private static PendingWrite Fin(YamuxStream stream) => new(stream, PooledBuffer.Rent(YamuxHeader.Size).WithLength(YamuxHeader.Size), 0);

    private static void Release(params PendingWrite[] writes)
    {
        foreach (var write in writes)
        {
            write.Frame.Return();
        }
    }

    [Fact]
    public void WriterRole_GoesToTheFirstEnqueuer_AndBackWhenIdle()
    {
        var queue = new OutboundQueue();
        Assert.True(queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(1, false)), out var start));
        Assert.True(start);
        Assert.True(queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(2, false)), out start));
        Assert.False(start);

        Assert.Equal(OutboundQueue.Take.Item, queue.TakeNext(out _, out _));
        Assert.Equal(OutboundQueue.Take.Item, queue.TakeNext(out _, out _));
        Assert.Equal(OutboundQueue.Take.Idle, queue.TakeNext(out _, out _));

        // Idle again: the next enqueuer becomes the writer.
        Assert.True(queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(3, false)), out start));
        Assert.True(start);
    }

    [Fact]
    public void Complete_WhileWriting_WriterFinishesAfterTheLastItem()
    {
        var queue = new OutboundQueue();
        queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.GoAway(0)), out _);
        Assert.False(queue.Complete());
        Assert.False(queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.GoAway(0)), out var start));
        Assert.False(start);
        Assert.Equal(OutboundQueue.Take.Item, queue.TakeNext(out _, out _));
        Assert.Equal(OutboundQueue.Take.Finished, queue.TakeNext(out _, out _));
        Assert.Equal(OutboundQueue.Take.Finished, queue.TakeNext(out _, out _));
    }

    [Fact]
    public void Complete_WhenIdle_AsksTheCallerToStartTheWriterToFinish()
    {
        var queue = new OutboundQueue();
        Assert.True(queue.Complete());
        Assert.Equal(OutboundQueue.Take.Finished, queue.TakeNext(out _, out _));
    }

    [Fact]
    public void Drain_ReturnsEverythingAndKeepsOnlyTheLastItem()
    {
        var queue = new OutboundQueue();
        queue.TryEnqueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(1, false)), out _);
        var (control, data) = queue.Drain(OutboundItem.ForFrame(YamuxHeader.GoAway(1)), out var start);
        Assert.False(start);
        Assert.Single(control);
        Assert.Empty(data);
        Assert.True(queue.TryDequeue(out var last, out _));
        Assert.Equal(YamuxHeader.GoAway(1), YamuxHeader.ReadFrom(last.Frame.Span));
        Assert.False(queue.TryDequeue(out _, out _));
    }

    [Fact]
    public async Task WriterRole_ManyProducers_EveryItemTakenOnceAndNoneLeftBehind()
    {
        // Producers that find no writer become it and drain until idle: a handover that lost an
        // item (enqueued just as the writer went idle) would leave it queued with nobody to send it.
        var queue = new OutboundQueue();
        const int producers = 4;
        const int perProducer = 5000;
        long taken = 0;
        int writing = 0;
        var tasks = Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (int i = 0; i < perProducer; i++)
            {
                Assert.True(queue.TryEnqueueControl(new OutboundItem(default, null), out var start));
                if (!start)
                {
                    continue;
                }

                while (true)
                {
                    var take = queue.TakeNext(out _, out _);
                    if (take != OutboundQueue.Take.Item)
                    {
                        Assert.Equal(OutboundQueue.Take.Idle, take);
                        break;
                    }

                    // Between taking an item and asking for the next, this producer alone is the writer.
                    Assert.Equal(1, Interlocked.Increment(ref writing));
                    Interlocked.Increment(ref taken);
                    Interlocked.Decrement(ref writing);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(Timeout * 3);
        Assert.Equal(producers * perProducer, Interlocked.Read(ref taken));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task PendingWrite_TryAppend_GrowsTheQueuedFrame_UntilClaimed()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var frame = PooledBuffer.Rent(YamuxHeader.Size + 64).WithLength(YamuxHeader.Size + 2);
        YamuxHeader.Data(stream.Id, 2).WriteTo(frame.Span);
        frame.Span[YamuxHeader.Size] = 1;
        frame.Span[YamuxHeader.Size + 1] = 2;
        var write = new PendingWrite(stream, frame, 2, YamuxHeader.Size + 64);
        Assert.Equal(62, write.Room);

        Assert.True(write.TryAppend([3, 4, 5]));
        Assert.Equal(59, write.Room);
        Assert.Equal(5, write.Credit);
        Assert.Equal(YamuxHeader.Size + 5, write.Frame.Length);
        Assert.Equal(YamuxHeader.Data(stream.Id, 5), YamuxHeader.ReadFrom(write.Frame.Span));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, write.Frame.Span[YamuxHeader.Size..].ToArray());

        write.Claim();
        Assert.False(write.TryAppend([6]));
        Assert.Equal(YamuxHeader.Size + 5, write.Frame.Length);
        frame.Return();
    }

    [Fact]
    public async Task PendingWrite_ClaimDuringAppends_FrameStaysConsistent()
    {
        // The stream appends while the writer claims: whatever the interleaving, the claimed frame's
        // header, length and credit agree, and nothing is appended after the claim.
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        for (int round = 0; round < 200; round++)
        {
            var frame = PooledBuffer.Rent(YamuxHeader.Size + 4096).WithLength(YamuxHeader.Size);
            YamuxHeader.Data(stream.Id, 0).WriteTo(frame.Span);
            var write = new PendingWrite(stream, frame, 0, YamuxHeader.Size + 4096);
            using var go = new ManualResetEventSlim();
            var appender = Task.Run(() =>
            {
                go.Wait();
                while (write.Room >= 16 && write.TryAppend(new byte[16]))
                {
                }
            });
            var claimer = Task.Run(() =>
            {
                go.Wait();
                write.Claim();
                return write.Frame.Length;
            });
            go.Set();
            int claimedLength = await claimer.WaitAsync(Timeout);
            await appender.WaitAsync(Timeout);

            Assert.Equal(claimedLength, write.Frame.Length);
            Assert.Equal(YamuxHeader.Data(stream.Id, (uint)write.Credit), YamuxHeader.ReadFrom(write.Frame.Span));
            Assert.Equal(YamuxHeader.Size + write.Credit, write.Frame.Length);
            Assert.False(write.TryAppend([1]));
            frame.Return();
        }
    }

    [Fact]
    public async Task PendingWrite_Reuse_CompletesEachFrameOnce()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var write = new PendingWrite(stream, default, 1);
        for (int frame = 0; frame < 3; frame++)
        {
            var completion = write.WaitAsync(CancellationToken.None).AsTask();
            Assert.False(completion.IsCompleted);
            write.Claim();
            write.Succeed();
            await completion.WaitAsync(Timeout);
            Assert.True(write.IsReusable);
            Assert.Same(write, write.Reuse(default, frame + 2, 0));
            Assert.Equal(frame + 2, write.Credit);
        }

        var failed = write.WaitAsync(CancellationToken.None).AsTask();
        write.Claim();
        write.Fail(new IOException("gone"));
        await Assert.ThrowsAsync<IOException>(() => failed.WaitAsync(Timeout));
    }

    [Fact]
    public async Task PendingWrite_CancellableWait_CanBeRepeated_AndIsNotReused()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var write = new PendingWrite(stream, default, 1);
        using var cancel = new CancellationTokenSource();
        var first = write.WaitAsync(cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Timeout));
        Assert.False(write.IsReusable);

        // The frame still leaves; a later wait (cancellable or not) sees it.
        var second = write.WaitAsync(CancellationToken.None).AsTask();
        write.Claim();
        write.Succeed();
        await second.WaitAsync(Timeout);
    }
}
