using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Muxing;
using Rx.Network.Reactive;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Muxing;

/// <summary>
/// The frame stage's contract as a Dataflow block (ADR 0004, ADR 0011 §3): the lanes' priority
/// order behind a postponed chunk, a bound on stream frames with postponement and decline,
/// completion that flushes, drain that sends only the last GoAway, fault that withdraws what it
/// holds, a refused chunk that ends the session, and one run per burst on the given scheduler.
/// The target is a bounded <see cref="BufferBlock{T}"/> filled with one chunk, so the block's
/// first chunk is postponed and what follows queues behind it.
/// </summary>
public sealed class FrameBlockTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task BehindAPostponedChunk_ControlGoesFirst_ThenSmall_ThenBulk_AndWritesSucceedOnceConsumed()
    {
        await using var pair = new SessionPair();
        var (s1, _) = await pair.OpenAsync();
        var (s2, _) = await pair.OpenAsync();
        var (block, target, _) = Create();
        Assert.True(block.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(1, response: false))));
        await Poll.UntilAsync(() => Task.FromResult(block.IsWaiting));

        var bulk = Data(s1, 20_000, growable: true);
        var small = Data(s2, 32);
        Assert.True(await block.QueueAsync(bulk));
        Assert.True(await block.QueueAsync(small));
        Assert.True(block.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(2, response: false))));

        await ReceiveAsync(target); // the filler
        Assert.Equal([(YamuxFrameType.Ping, 0u, 1u)], await ReceiveAsync(target));
        Assert.Equal([(YamuxFrameType.Ping, 0u, 2u), (YamuxFrameType.Data, s2.Id, 32u)], await ReceiveAsync(target));
        await small.WaitAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.Equal([(YamuxFrameType.Data, s1.Id, 20_000u)], await ReceiveAsync(target));
        await bulk.WaitAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Full_DeclinesAPost_PostponesSends_AndAdmitsThemInOrder_ControlStillAccepted()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var (block, target, _) = Create(capacity: 1);
        var first = Data(stream, 1);
        Assert.True(block.Post(OutboundItem.ForWrite(first)));
        await Poll.UntilAsync(() => Task.FromResult(block.IsWaiting)); // first is on offer, the queue empty

        var second = Data(stream, 2);
        Assert.True(block.Post(OutboundItem.ForWrite(second))); // fills the one slot
        var declined = Data(stream, 3);
        Assert.False(block.Post(OutboundItem.ForWrite(declined)));
        declined.Frame.Return();
        var third = block.QueueAsync(Data(stream, 4));
        var fourth = block.QueueAsync(Data(stream, 5));
        Assert.False(third.IsCompleted);
        Assert.False(fourth.IsCompleted);
        Assert.Equal(2, block.PostponedCount);
        Assert.True(block.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(9, response: false))));

        var lengths = new List<uint>();
        await ReceiveAsync(target); // the filler
        while (lengths.Count < 5)
        {
            lengths.AddRange((await ReceiveAsync(target)).Select(f => f.Length));
        }

        Assert.True(await third.WaitAsync(Timeout));
        Assert.True(await fourth.WaitAsync(Timeout));
        Assert.Equal([1u, 9u, 2u, 4u, 5u], lengths);
        Assert.Equal(0, block.PostponedCount);
    }

    [Fact]
    public async Task Complete_SendsWhatIsQueued_ThenCompletesTheTarget_AndDeclinesLaterAndPostponedOffers()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var (block, target, _) = Create(capacity: 1);
        Assert.True(block.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(1, response: false))));
        await Poll.UntilAsync(() => Task.FromResult(block.IsWaiting));
        var queued = Data(stream, 10);
        Assert.True(await block.QueueAsync(queued));
        var postponed = Data(stream, 11);
        var waiting = block.QueueAsync(postponed);
        Assert.False(waiting.IsCompleted);

        block.Complete();
        Assert.False(await waiting.WaitAsync(Timeout));
        postponed.Frame.Return();
        Assert.False(block.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(2, response: false))));
        Assert.False(block.Completion.IsCompleted);

        await ReceiveAsync(target);
        Assert.Equal([(YamuxFrameType.Ping, 0u, 1u)], await ReceiveAsync(target));
        Assert.Equal([(YamuxFrameType.Data, stream.Id, 10u)], await ReceiveAsync(target));
        await block.Completion.WaitAsync(Timeout);
        await target.Completion.WaitAsync(Timeout);
        await queued.WaitAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Drain_FailsQueuedWriters_AndSendsOnlyTheLastGoAway_ThenCompletesTheTarget()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var (block, target, _) = Create();
        Assert.True(block.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(1, response: false))));
        await Poll.UntilAsync(() => Task.FromResult(block.IsWaiting));
        var dropped = Data(stream, 10);
        Assert.True(await block.QueueAsync(dropped));
        Assert.True(block.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(2, response: false))));

        var error = new MuxerClosedException("ended");
        block.Drain(OutboundItem.ForFrame(YamuxHeader.GoAway(1)), error);
        Assert.Same(error, await Assert.ThrowsAsync<MuxerClosedException>(() => dropped.WaitAsync(CancellationToken.None).AsTask().WaitAsync(Timeout)));

        await ReceiveAsync(target);
        Assert.Equal([(YamuxFrameType.Ping, 0u, 1u)], await ReceiveAsync(target)); // already on offer: it leaves
        Assert.Equal([(YamuxFrameType.GoAway, 0u, 1u)], await ReceiveAsync(target));
        await block.Completion.WaitAsync(Timeout);
        await target.Completion.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Fault_WithdrawsTheChunkOnOffer_FailsEveryWriter_AndFaultsCompletionTheTargetAndTheSession()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var (block, target, failures) = Create();
        var onOffer = Data(stream, 1);
        Assert.True(await block.QueueAsync(onOffer));
        await Poll.UntilAsync(() => Task.FromResult(block.IsWaiting));
        var queued = Data(stream, 2);
        Assert.True(await block.QueueAsync(queued));

        var reason = new IOException("broken");
        block.Fault(reason);
        await Assert.ThrowsAsync<MuxerClosedException>(() => onOffer.WaitAsync(CancellationToken.None).AsTask().WaitAsync(Timeout));
        await Assert.ThrowsAsync<MuxerClosedException>(() => queued.WaitAsync(CancellationToken.None).AsTask().WaitAsync(Timeout));
        Assert.Same(reason, await Assert.ThrowsAsync<IOException>(() => block.Completion.WaitAsync(Timeout)));
        await Assert.ThrowsAsync<IOException>(() => target.Completion.WaitAsync(Timeout));
        Assert.Same(reason, Assert.Single(failures));
        Assert.False(block.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(3, response: false))));

        // Withdrawn: the chunk is no longer on offer.
        Assert.False(((ISourceBlock<PooledBuffer>)block).ReserveMessage(new DataflowMessageHeader(1), target));
    }

    [Fact]
    public async Task TargetDeclines_TheWriteFails_AndTheSessionEnds()
    {
        await using var pair = new SessionPair();
        var (stream, _) = await pair.OpenAsync();
        var target = new BufferBlock<PooledBuffer>();
        target.Complete();
        var (block, failures) = CreateOver(target);
        var write = Data(stream, 1);
        Assert.True(await block.QueueAsync(write));

        await Assert.ThrowsAsync<MuxerClosedException>(() => write.WaitAsync(CancellationToken.None).AsTask().WaitAsync(Timeout));
        await Assert.ThrowsAsync<IOException>(() => block.Completion.WaitAsync(Timeout));
        Assert.IsType<IOException>(Assert.Single(failures));
    }

    [Fact]
    public async Task OneRunPerBurst_OnTheGivenScheduler_HoweverManyFramesQueued()
    {
        var posts = 0;
        var scheduler = new NetworkScheduler(
            TimeProvider.System,
            post: work =>
            {
                Interlocked.Increment(ref posts);
                ThreadPool.UnsafeQueueUserWorkItem(static w => w(), work, preferLocal: false);
            });
        var target = Filled();
        var (block, _) = CreateOver(target, scheduler: scheduler);
        Assert.True(block.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(0, response: false))));
        await Poll.UntilAsync(() => Task.FromResult(block.IsWaiting));
        for (uint i = 1; i <= 20; i++)
        {
            Assert.True(block.TryQueueControl(OutboundItem.ForFrame(YamuxHeader.Ping(i, response: false))));
        }

        await ReceiveAsync(target);
        var frames = new List<(YamuxFrameType Type, uint StreamId, uint Length)>();
        while (frames.Count < 21)
        {
            frames.AddRange(await ReceiveAsync(target));
        }

        // The first offer started a run; the target's consume of the postponed chunk started the
        // second, which drained all twenty frames queued meanwhile (as one coalesced chunk).
        Assert.Equal(Enumerable.Range(0, 21).Select(i => (uint)i), frames.Select(f => f.Length));
        await Poll.UntilAsync(() => Task.FromResult(!block.IsWaiting && block.QueuedFrameCount == 0));
        Assert.Equal(2, Volatile.Read(ref posts));
    }

    [Fact]
    public void Link_OneTargetAtATime_CarryingEveryFrame()
    {
        var (block, _, _) = Create();
        Assert.Throws<InvalidOperationException>(() => block.LinkTo(new BufferBlock<PooledBuffer>(), new DataflowLinkOptions()));
        var (unlinked, _) = (new YamuxWriter(Channel(), Tap(), new NetworkScheduler(TimeProvider.System), 8, e => e!), 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => unlinked.LinkTo(new BufferBlock<PooledBuffer>(), new DataflowLinkOptions { MaxMessages = 1 }));
    }

    /// <summary>A block linked (with completion propagated) to a full one-chunk target.</summary>
    private static (YamuxWriter Block, BufferBlock<PooledBuffer> Target, List<Exception?> Failures) Create(int capacity = 64)
    {
        var target = Filled();
        var (block, failures) = CreateOver(target, capacity);
        return (block, target, failures);
    }

    private static (YamuxWriter Block, List<Exception?> Failures) CreateOver(ITargetBlock<PooledBuffer> target, int capacity = 64, NetworkScheduler? scheduler = null)
    {
        var failures = new List<Exception?>();
        var block = new YamuxWriter(
            Channel(),
            Tap(),
            scheduler ?? new NetworkScheduler(TimeProvider.System),
            capacity,
            failure =>
            {
                lock (failures)
                {
                    failures.Add(failure);
                }

                return new MuxerClosedException("The connection failed.", remote: false, null, failure);
            });
        block.LinkTo(target, new DataflowLinkOptions { PropagateCompletion = true });
        return (block, failures);
    }

    private static BufferBlock<PooledBuffer> Filled()
    {
        var target = new BufferBlock<PooledBuffer>(new DataflowBlockOptions { BoundedCapacity = 1 });
        Assert.True(target.Post(PooledBuffer.Rent(1)));
        return target;
    }

    private static InMemoryDuplexChannel Channel() => InMemoryDuplexChannel.CreatePair().A;

    private static FrameTap Tap() => new(TimeProvider.System, TaskScheduler.Default);

    private static PendingWrite Data(YamuxStream stream, int payload, bool growable = false)
    {
        var capacity = YamuxHeader.Size + (growable ? YamuxOptions.DefaultMaxFrameSize : payload);
        var frame = PooledBuffer.Rent(capacity).WithLength(YamuxHeader.Size + payload);
        YamuxHeader.Data(stream.Id, (uint)payload).WriteTo(frame.Span);
        return new PendingWrite(stream, frame, payload, capacity);
    }

    /// <summary>The next chunk the target got, as the frames in it.</summary>
    private static async Task<List<(YamuxFrameType Type, uint StreamId, uint Length)>> ReceiveAsync(BufferBlock<PooledBuffer> target)
    {
        var chunk = await target.ReceiveAsync(Timeout);
        var frames = new List<(YamuxFrameType, uint, uint)>();
        var rest = chunk.Span;
        while (rest.Length >= YamuxHeader.Size)
        {
            var header = YamuxHeader.ReadFrom(rest);
            frames.Add((header.Type, header.StreamId, header.Length));
            rest = rest[(YamuxHeader.Size + (header.Type == YamuxFrameType.Data ? (int)header.Length : 0))..];
        }

        chunk.Return();
        return frames;
    }
}
