using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Time.Testing;
using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

/// <summary>The frame trace of a yamux session (<see cref="FrameTap"/>), over an in-memory connection.</summary>
public sealed class FrameTraceTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static FrameTap Tap(YamuxSession session) => (FrameTap)session.Frames;

    [Fact]
    public async Task Frames_EchoOnOneStream_ShowsEachFrameWithItsFieldsInOrder()
    {
        var time = new FakeTimeProvider(Start);
        await using var pair = new SessionPair(time: time);
        var recorded = new BufferBlock<TracedFrame>();
        using var link = pair.Dialer.Frames.LinkTo(recorded, new DataflowLinkOptions(), f => f.StreamId != 0);

        var opened = await pair.Dialer.OpenStreamAsync().WaitAsync(SessionPair.Timeout);
        var accepted = await pair.Listener.AcceptAsync().AsTask().WaitAsync(SessionPair.Timeout);
        time.Advance(TimeSpan.FromSeconds(1));
        await opened.WriteAsync(new byte[5]).AsTask().WaitAsync(SessionPair.Timeout);
        await accepted.ReadExactlyAsync(5);
        await accepted.WriteAsync(new byte[3]).AsTask().WaitAsync(SessionPair.Timeout);
        await opened.ReadExactlyAsync(3);
        time.Advance(TimeSpan.FromSeconds(1));
        await opened.CloseWriteAsync().AsTask().WaitAsync(SessionPair.Timeout);

        Assert.Empty(await accepted.ReadToEndAsync());

        // Everything is in: the FIN arrived, and the 3 bytes were decoded before they were read.
        Assert.True(recorded.TryReceiveAll(out var frames), "no frame recorded");
        var sent = frames.Where(f => f.Direction == Direction.Outbound).ToArray();
        var received = frames.Where(f => f.Direction == Direction.Inbound).ToArray();
        Assert.True(sent.Length == 3 && received.Length == 2, string.Join("\n", frames));
        Assert.Equal((YamuxFrameType.WindowUpdate, YamuxFlags.Syn, opened.Id, Start), (sent[0].Type, sent[0].Flags, sent[0].StreamId, sent[0].Timestamp));
        Assert.Equal(new TracedFrame(Direction.Outbound, YamuxFrameType.Data, YamuxFlags.None, opened.Id, 5, Start.AddSeconds(1)), sent[1]);
        Assert.Equal((YamuxFlags.Fin, opened.Id, 0u, Start.AddSeconds(2)), (sent[2].Flags, sent[2].StreamId, sent[2].Length, sent[2].Timestamp));
        Assert.Equal((YamuxFrameType.WindowUpdate, YamuxFlags.Ack, opened.Id), (received[0].Type, received[0].Flags, received[0].StreamId));
        Assert.Equal((YamuxFrameType.Data, YamuxFlags.None, opened.Id, 3u), (received[1].Type, received[1].Flags, received[1].StreamId, received[1].Length));
        Assert.Equal(Start.AddSeconds(1), received[1].Timestamp);
    }

    [Fact]
    public async Task Frames_NothingLinked_IsInactive_AndUnlinkingMakesItInactiveAgain()
    {
        await using var pair = new SessionPair();
        Assert.False(Tap(pair.Dialer).IsActive);

        var recorded = new BufferBlock<TracedFrame>();
        var link = pair.Dialer.Frames.LinkTo(recorded);
        Assert.True(Tap(pair.Dialer).IsActive);
        await pair.Dialer.PingAsync().WaitAsync(SessionPair.Timeout);
        link.Dispose();
        Assert.False(Tap(pair.Dialer).IsActive);
        int seen = recorded.Count;
        Assert.True(seen >= 2, $"a ping and its pong, saw {seen}");

        await pair.Dialer.PingAsync().WaitAsync(SessionPair.Timeout);
        Assert.Equal(seen, recorded.Count);
    }

    [Fact]
    public async Task Frames_MaxMessages_EndsTheLinkAfterThatManyFrames()
    {
        await using var pair = new SessionPair();
        var recorded = new BufferBlock<TracedFrame>();
        using var link = pair.Dialer.Frames.LinkTo(recorded, new DataflowLinkOptions { MaxMessages = 1 });

        await pair.Dialer.PingAsync().WaitAsync(SessionPair.Timeout);
        await pair.Dialer.PingAsync().WaitAsync(SessionPair.Timeout);

        Assert.Equal(1, recorded.Count);
        Assert.False(Tap(pair.Dialer).IsActive);
    }

    [Fact]
    public async Task Frames_FullTarget_MissesFramesWithoutHoldingTheSession()
    {
        await using var pair = new SessionPair();
        var full = new BufferBlock<TracedFrame>(new DataflowBlockOptions { BoundedCapacity = 1 });
        using var link = pair.Dialer.Frames.LinkTo(full);

        for (int i = 0; i < 5; i++)
        {
            await pair.Dialer.PingAsync().WaitAsync(SessionPair.Timeout);
        }

        Assert.Equal(1, full.Count);
        Assert.True(Tap(pair.Dialer).IsActive);
    }

    [Fact]
    public async Task Frames_SessionEnds_CompletesTheTraceAndPropagatesToLinks()
    {
        var pair = new SessionPair();
        var recorded = new BufferBlock<TracedFrame>();
        using var link = pair.Dialer.Frames.LinkTo(recorded, new DataflowLinkOptions { PropagateCompletion = true });

        await pair.Dialer.CloseAsync().WaitAsync(SessionPair.Timeout);

        await pair.Dialer.Frames.Completion.WaitAsync(SessionPair.Timeout);
        var frames = new List<TracedFrame>();
        while (await recorded.OutputAvailableAsync().WaitAsync(SessionPair.Timeout))
        {
            frames.Add(recorded.Receive());
        }

        Assert.Contains(frames, f => f is { Direction: Direction.Outbound, Type: YamuxFrameType.GoAway, Length: 0 });
        await recorded.Completion.WaitAsync(SessionPair.Timeout);

        // Linked after the end: completed at once.
        var late = new BufferBlock<TracedFrame>();
        using var lateLink = pair.Dialer.Frames.LinkTo(late, new DataflowLinkOptions { PropagateCompletion = true });
        await late.Completion.WaitAsync(SessionPair.Timeout);
        await pair.DisposeAsync();
    }

    [Fact]
    public async Task Frames_SessionAborted_FaultsTheTrace()
    {
        var pair = new SessionPair();
        var recorded = new BufferBlock<TracedFrame>();
        using var link = pair.Dialer.Frames.LinkTo(recorded, new DataflowLinkOptions { PropagateCompletion = true });

        pair.Dialer.Abort(new InvalidOperationException("gone"));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => recorded.Completion.WaitAsync(SessionPair.Timeout));
        Assert.IsType<InvalidOperationException>(error.GetBaseException());
        await pair.DisposeAsync();
    }

    [Fact]
    public async Task Frames_ReceiveAndReservation_GiveNothing()
    {
        await using var pair = new SessionPair();
        var source = pair.Dialer.Frames;

        Assert.False(source.ReserveMessage(new DataflowMessageHeader(1), new BufferBlock<TracedFrame>()));
        Assert.Equal(default, source.ConsumeMessage(new DataflowMessageHeader(1), new BufferBlock<TracedFrame>(), out var consumed));
        Assert.False(consumed);
        Assert.Throws<ArgumentNullException>(() => source.LinkTo(null!, new DataflowLinkOptions()));
        Assert.Throws<ArgumentNullException>(() => source.LinkTo(new BufferBlock<TracedFrame>(), null!));
    }

    [Fact]
    public async Task Frames_TargetThatThrows_IsUnlinked_AndTheSessionCarriesOn()
    {
        await using var pair = new SessionPair();
        var target = new ThrowingTarget();
        using var link = pair.Dialer.Frames.LinkTo(target);

        await pair.Dialer.PingAsync().WaitAsync(SessionPair.Timeout);
        await pair.Dialer.PingAsync().WaitAsync(SessionPair.Timeout);

        // Unlinked at its first throw. The two directions are offered concurrently (the demux block
        // and the writer: both sessions ping on start), so the other direction's offer may already
        // be under way then: at most one more, and none after.
        int offers = target.Offers;
        Assert.InRange(offers, 1, 2);
        Assert.False(Tap(pair.Dialer).IsActive);
        var (opened, accepted) = await pair.OpenAsync();
        await opened.WriteAsync(new byte[7]).AsTask().WaitAsync(SessionPair.Timeout);
        Assert.Equal(7, (await accepted.ReadExactlyAsync(7)).Length);
        await pair.Dialer.PingAsync().WaitAsync(SessionPair.Timeout);
        Assert.Equal(offers, target.Offers);
    }

    [Fact]
    public async Task Tap_EndedBeforeCompletionIsRead_ReportsTheOutcome_AndPropagatesItToLateLinks()
    {
        var failed = new FrameTap(TimeProvider.System, TaskScheduler.Default);
        var error = new IOException("session lost");
        failed.End(error);
        failed.End(null);
        Assert.Same(error, await Assert.ThrowsAsync<IOException>(() => failed.Completion));
        var late = new BufferBlock<TracedFrame>();
        using (failed.LinkTo(late, new DataflowLinkOptions { PropagateCompletion = true }))
        {
            Assert.Same(error, await Assert.ThrowsAsync<IOException>(() => late.Completion.WaitAsync(SessionPair.Timeout)));
        }

        var clean = new FrameTap(TimeProvider.System, TaskScheduler.Default);
        var pending = clean.Completion;
        Assert.False(pending.IsCompleted);
        clean.End(null);
        await pending.WaitAsync(SessionPair.Timeout);
        Assert.Same(pending, clean.Completion);
    }

    [Fact]
    public void TracedFrame_ToString_IsOneCompactLine()
    {
        var frame = new TracedFrame(Direction.Outbound, YamuxFrameType.Data, YamuxFlags.Syn | YamuxFlags.Fin, 3, 32, Start);

        Assert.Equal("12:00:00.000000 out Data SYN|FIN stream 3 len 32", frame.ToString());
    }

    private sealed class ThrowingTarget : ITargetBlock<TracedFrame>
    {
        private int offers;

        public int Offers => Volatile.Read(ref offers);

        public Task Completion => Task.CompletedTask;

        public DataflowMessageStatus OfferMessage(DataflowMessageHeader messageHeader, TracedFrame messageValue, ISourceBlock<TracedFrame>? source, bool consumeToAccept)
        {
            Interlocked.Increment(ref offers);
            throw new InvalidOperationException("a broken block");
        }

        public void Complete()
        {
        }

        public void Fault(Exception exception)
        {
        }
    }
}
