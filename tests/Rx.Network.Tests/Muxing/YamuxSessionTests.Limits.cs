using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

public partial class YamuxSessionTests
{
    [Fact]
    public async Task OpenStreamAsync_AckBacklogFull_WaitsUntilPeerAccepts()
    {
        await using var pair = new SessionPair();

        // End the slow start: the listener acknowledges a first stream (id 1).
        await pair.Dialer.OpenStreamAsync().WaitAsync(Timeout);
        await pair.Listener.AcceptAsync().AsTask().WaitAsync(Timeout);
        for (var i = 0; i < 256; i++)
        {
            await pair.Dialer.OpenStreamAsync().WaitAsync(Timeout);
        }

        var waiting = pair.Dialer.OpenStreamAsync();
        using var cts = new CancellationTokenSource();
        var cancelled = pair.Dialer.OpenStreamAsync(cts.Token);
        await Poll.UntilAsync(() => Task.FromResult(pair.Listener.InboundStreamCount == 257));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(259, pair.Dialer.OutboundStreamCount);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout));
        Assert.Equal(258, pair.Dialer.OutboundStreamCount);

        // Accepting acknowledges, which frees a place in the dialer's backlog.
        await pair.Listener.AcceptAsync().AsTask().WaitAsync(Timeout);
        var opened = await waiting.WaitAsync(Timeout);
        Assert.Equal(515u, opened.Id);
    }

    [Fact]
    public async Task OpenStreamAsync_BeforeFirstAck_SlowStartsAtInitialAckBacklog()
    {
        var options = new YamuxOptions { PingOnStart = false, KeepAliveInterval = null, InitialAckBacklog = 2, MaxAckBacklog = 4 };
        var (session, peer) = RawPeer.Create(options: options);
        await session.OpenStreamAsync().WaitAsync(Timeout);
        await session.OpenStreamAsync().WaitAsync(Timeout);

        // A peer that has not acknowledged anything yet gets no more than the initial backlog.
        var third = session.OpenStreamAsync();
        Assert.False(third.IsCompleted);

        // Its first acknowledgement frees that place and widens the backlog to the maximum.
        await peer.SendAsync(YamuxHeader.WindowUpdate(1, 0, YamuxFlags.Ack));
        Assert.Equal(5u, (await third.WaitAsync(Timeout)).Id);
        Assert.Equal(7u, (await session.OpenStreamAsync().WaitAsync(Timeout)).Id);
        Assert.Equal(9u, (await session.OpenStreamAsync().WaitAsync(Timeout)).Id);

        // Streams 3, 5, 7 and 9 now await acknowledgement: the full backlog of 4.
        var next = session.OpenStreamAsync();
        Assert.False(next.IsCompleted);
        await peer.SendAsync(YamuxHeader.WindowUpdate(3, 0, YamuxFlags.Ack));
        Assert.Equal(11u, (await next.WaitAsync(Timeout)).Id);
    }

    [Fact]
    public async Task OpenStreamAsync_UnacknowledgedStreamClosed_FreesBacklogPlace()
    {
        var options = new YamuxOptions { PingOnStart = false, KeepAliveInterval = null, MaxAckBacklog = 1 };
        var (session, peer) = RawPeer.Create(options: options);
        var first = await session.OpenStreamAsync();
        var waiting = session.OpenStreamAsync();
        Assert.False(waiting.IsCompleted);
        first.Reset();
        Assert.Equal(3u, (await waiting.WaitAsync(Timeout)).Id);

        // An ACK frees the place too.
        var third = session.OpenStreamAsync();
        Assert.False(third.IsCompleted);
        await peer.SendAsync(YamuxHeader.WindowUpdate(3, 0, YamuxFlags.Ack));
        Assert.Equal(5u, (await third.WaitAsync(Timeout)).Id);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task Syn_AcceptBacklogFull_RefusedWithReset()
    {
        var (session, peer) = RawPeer.Create(sessionIsInitiator: false);
        for (uint id = 1; id <= 2 * 257; id += 2)
        {
            await peer.SendAsync(YamuxHeader.WindowUpdate(id, 0, YamuxFlags.Syn));
        }

        var refusal = await peer.ReadFrameAsync();
        Assert.Equal(YamuxHeader.WindowUpdate(513, 0, YamuxFlags.Rst), refusal.Header);
        Assert.Equal(256, session.InboundStreamCount);

        // Accepting one makes room again.
        await session.AcceptAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(YamuxHeader.WindowUpdate(1, 0, YamuxFlags.Ack), (await peer.ReadFrameAsync()).Header);
        await peer.SendAsync(YamuxHeader.WindowUpdate(515, 0, YamuxFlags.Syn));
        await peer.SendAsync(YamuxHeader.Ping(7, response: false));
        Assert.Equal(YamuxHeader.Ping(7, response: true), (await peer.ReadFrameAsync()).Header);
        Assert.Equal(257, session.InboundStreamCount);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task OpenStreamAsync_AtMaxOutboundStreams_ThrowsTypedException()
    {
        var options = new YamuxOptions { KeepAliveInterval = null, MaxOutboundStreams = 2 };
        await using var pair = new SessionPair(options);
        var first = await pair.Dialer.OpenStreamAsync();
        await pair.Dialer.OpenStreamAsync();
        var e = await Assert.ThrowsAsync<StreamLimitExceededException>(() => pair.Dialer.OpenStreamAsync());
        Assert.Equal(2, e.Limit);

        first.Reset();
        await pair.Dialer.OpenStreamAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Syn_BeyondMaxInboundStreams_RefusedWithReset()
    {
        var options = new YamuxOptions { PingOnStart = false, KeepAliveInterval = null, MaxInboundStreams = 2 };
        var (session, peer) = RawPeer.Create(sessionIsInitiator: false, options);
        await peer.SendAsync(YamuxHeader.WindowUpdate(1, 0, YamuxFlags.Syn));
        await peer.SendAsync(YamuxHeader.WindowUpdate(3, 0, YamuxFlags.Syn));
        await peer.SendAsync(YamuxHeader.Data(5, 3, YamuxFlags.Syn), [1, 2, 3]);
        Assert.Equal(YamuxHeader.WindowUpdate(5, 0, YamuxFlags.Rst), (await peer.ReadFrameAsync()).Header);
        Assert.Equal(2, session.InboundStreamCount);

        var stream = await session.AcceptAsync().AsTask().WaitAsync(Timeout);
        await stream.DisposeAsync();
        await peer.SendAsync(YamuxHeader.WindowUpdate(7, 0, YamuxFlags.Syn));
        await peer.SendAsync(YamuxHeader.Ping(1, response: false));
        var next = await peer.ReadUntilAsync(h => h.Type == YamuxFrameType.Ping || h.Has(YamuxFlags.Rst));
        Assert.Equal(YamuxFrameType.Ping, next.Header.Type);
        Assert.Equal(2, session.InboundStreamCount);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task Peer_FloodingPingsWithoutReading_EndsSession()
    {
        // A peer that does not read cannot receive the GoAway either: no grace period.
        var options = new YamuxOptions { PingOnStart = false, KeepAliveInterval = null, CloseTimeout = TimeSpan.Zero };
        var (session, peer) = RawPeer.Create(options: options, capacity: 1);
        var ping = new byte[YamuxHeader.Size];
        YamuxHeader.Ping(1, response: false).WriteTo(ping);

        // The connection holds one chunk and the writer one more (each at most CoalesceLimit
        // bytes of pongs), plus the one pong the writer took out of the queue and carries to the
        // next chunk because it did not fit; the rest piles up in the queue. With full chunks
        // exactly MaxProvokedFrames + 1 wait; smaller chunks only leave more.
        const int count = 2 * (YamuxWriter.CoalesceLimit / YamuxHeader.Size) + 1 + YamuxWriter.MaxProvokedFrames + 1;
        var flood = new byte[ping.Length * count];
        for (var i = 0; i < count; i++)
        {
            ping.CopyTo(flood, i * ping.Length);
        }

        await peer.SendBytesAsync(flood);
        var e = await Assert.ThrowsAsync<WireProtocolViolationException>(() => session.Completion.WaitAsync(Timeout));
        Assert.Contains("provoked", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writer_FramesQueuedTogether_LeaveAsOneChunk()
    {
        var (session, peer) = RawPeer.Create(capacity: 1);

        // Pong 0 fills the one-chunk connection; the writer then waits with pong 1.
        await peer.SendAsync(YamuxHeader.Ping(0, response: false));
        await Poll.UntilAsync(() => Task.FromResult(peer.WaitingChunks == 1));
        await peer.SendAsync(YamuxHeader.Ping(1, response: false));
        await Poll.UntilAsync(() => Task.FromResult(session.IsWriterWaiting));

        byte[] pings = [.. Enumerable.Range(2, 8).SelectMany(i => Frame(YamuxHeader.Ping((uint)i, response: false)))];
        await peer.SendBytesAsync(pings);
        await Poll.UntilAsync(() => Task.FromResult(session.QueuedFrameCount == 8));

        Assert.Equal(Frame(YamuxHeader.Ping(0, response: true)), await peer.ReceiveChunkAsync());
        Assert.Equal(Frame(YamuxHeader.Ping(1, response: true)), await peer.ReceiveChunkAsync());
        byte[] pongs = [.. Enumerable.Range(2, 8).SelectMany(i => Frame(YamuxHeader.Ping((uint)i, response: true)))];
        Assert.Equal(pongs, await peer.ReceiveChunkAsync());
        session.Abort(new IOException("done"));
    }
}
