using Microsoft.Extensions.Time.Testing;
using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

public class YamuxStreamTests
{
    private static readonly TimeSpan Timeout = SessionPair.Timeout;
    private const int Window = YamuxHeader.InitialWindow;

    [Fact]
    public async Task Operations_AfterDispose_ThrowObjectDisposed()
    {
        await using var pair = new SessionPair();
        var (opened, _) = await pair.OpenAsync();
        await opened.DisposeAsync();
        await opened.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await opened.ReadAsync(new byte[1]));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await opened.WriteAsync(new byte[1]));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await opened.CloseWriteAsync());
    }

    [Fact]
    public async Task ReadAsync_EmptyBuffer_ReturnsZeroAtOnce()
    {
        await using var pair = new SessionPair();
        var (opened, _) = await pair.OpenAsync();
        Assert.Equal(0, await opened.ReadAsync(Memory<byte>.Empty));
    }

    [Fact]
    public async Task ReadAsync_AfterRemoteFin_DrainsBufferThenReturnsZero()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        await opened.WriteAsync(new byte[] { 1, 2, 3 });
        await opened.CloseWriteAsync();

        var buffer = new byte[2];
        Assert.Equal(2, await accepted.ReadAsync(buffer).AsTask().WaitAsync(Timeout));
        Assert.Equal(1, await accepted.ReadAsync(buffer).AsTask().WaitAsync(Timeout));
        Assert.Equal(3, buffer[0]);
        Assert.Equal(0, await accepted.ReadAsync(buffer).AsTask().WaitAsync(Timeout));
        Assert.Equal(0, await accepted.ReadAsync(buffer).AsTask().WaitAsync(Timeout));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CloseWriteAsync_HalfClose_OtherDirectionKeepsWorking(bool dialerClosesFirst)
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var (closer, other) = dialerClosesFirst ? (opened, accepted) : (accepted, opened);

        await closer.WriteAsync("request"u8.ToArray());
        await closer.CloseWriteAsync();
        Assert.Equal("request"u8.ToArray(), await other.ReadToEndAsync());

        // The side that received the FIN may still write (more than a window: the closer still
        // reads and grants window), and the closer still reads.
        var replyRead = closer.ReadToEndAsync();
        await other.WriteAsync("reply 1"u8.ToArray());
        await other.WriteAsync(new byte[Window + 10]).AsTask().WaitAsync(Timeout);
        await other.CloseWriteAsync();
        var reply = await replyRead;
        Assert.Equal(7 + Window + 10, reply.Length);
        Assert.Equal("reply 1"u8.ToArray(), reply[..7]);
    }

    [Fact]
    public async Task CloseWriteAsync_Twice_DoesNothingMore_AndWritesThenThrow()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        await opened.CloseWriteAsync();
        await opened.CloseWriteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await opened.WriteAsync(new byte[1]));
        Assert.Equal(0, await accepted.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Reset_Local_FailsLocalOperationsAsLocalAndRemoteOnesAsRemote()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var pendingRemoteRead = accepted.ReadAsync(new byte[10]).AsTask();
        var pendingLocalRead = opened.ReadAsync(new byte[10]).AsTask();

        opened.Reset();

        var local = await Assert.ThrowsAsync<StreamResetException>(() => pendingLocalRead.WaitAsync(Timeout));
        Assert.False(local.Remote);
        var localWrite = await Assert.ThrowsAsync<StreamResetException>(async () => await opened.WriteAsync(new byte[1]));
        Assert.False(localWrite.Remote);

        var remote = await Assert.ThrowsAsync<StreamResetException>(() => pendingRemoteRead.WaitAsync(Timeout));
        Assert.True(remote.Remote);
        Assert.Equal(0u, remote.Code);
        var remoteWrite = await Assert.ThrowsAsync<StreamResetException>(async () => await accepted.WriteAsync(new byte[1]));
        Assert.True(remoteWrite.Remote);
        var laterRead = await Assert.ThrowsAsync<StreamResetException>(async () => await accepted.ReadAsync(new byte[1]));
        Assert.True(laterRead.Remote);

        await Poll.UntilAsync(() => pair.Listener.StreamCount == 0 && pair.Dialer.StreamCount == 0);
    }

    [Fact]
    public async Task Reset_ByListener_DialerSeesRemoteResetWithCode()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var pendingRead = opened.ReadAsync(new byte[10]).AsTask();
        accepted.Reset(42);
        var e = await Assert.ThrowsAsync<StreamResetException>(() => pendingRead.WaitAsync(Timeout));
        Assert.True(e.Remote);
        Assert.Equal(42u, e.Code);
    }

    [Fact]
    public async Task Reset_PendingWriteWaitingForWindow_FailsIt()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var write = opened.WriteAsync(new byte[Window * 2]).AsTask();
        await Poll.UntilAsync(() => opened.SendCredit == 0);
        accepted.Reset();
        var e = await Assert.ThrowsAsync<StreamResetException>(() => write.WaitAsync(Timeout));
        Assert.True(e.Remote);
    }

    [Fact]
    public async Task Reset_AfterBothSidesClosed_DoesNothing()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        await opened.CloseWriteAsync();
        await accepted.CloseWriteAsync();
        Assert.Equal(0, await opened.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));
        opened.Reset();
        Assert.Equal(0, await opened.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));
        Assert.Equal(0, await accepted.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task WriteAsync_ReaderNotReading_StopsAfterOneWindow()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var write = opened.WriteAsync(new byte[Window * 3]).AsTask();

        await Poll.UntilAsync(() => accepted.BufferedBytes == Window);
        Assert.False(write.IsCompleted);
        Assert.Equal(0, opened.SendCredit);

        // Nothing beyond the window is buffered anywhere: the remote holds exactly one window.
        var total = 0;
        var buffer = new byte[50_000];
        while (total < Window * 3)
        {
            total += await accepted.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
            Assert.True(accepted.BufferedBytes <= accepted.ReceiveWindowSize);
        }

        await write.WaitAsync(Timeout);
    }

    [Fact]
    public async Task WriteAsync_CancelledWhileWaitingForWindow_SendsNothingMoreAndStreamStaysUsable()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        await opened.WriteAsync(new byte[Window]);
        using var cts = new CancellationTokenSource();
        var blocked = opened.WriteAsync(new byte[] { 9 }, cts.Token).AsTask();
        Assert.False(blocked.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(Timeout));

        Assert.Equal(Window, (await accepted.ReadExactlyAsync(Window)).Length);
        await opened.WriteAsync(new byte[] { 7 });
        await opened.CloseWriteAsync();
        Assert.Equal(new byte[] { 7 }, await accepted.ReadToEndAsync());
    }

    [Fact]
    public async Task WriteAsync_CancelledAfterPartOfItLeft_ResetsStream()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        using var cts = new CancellationTokenSource();
        var write = opened.WriteAsync(new byte[Window + 100], cts.Token).AsTask();
        await Poll.UntilAsync(() => opened.SendCredit == 0);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(Timeout));

        // The peer must not take the truncated write for a complete one.
        var e = await Assert.ThrowsAsync<StreamResetException>(() => accepted.ReadToEndAsync());
        Assert.True(e.Remote);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_LosesNoBytes()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        using var cts = new CancellationTokenSource();
        var read = accepted.ReadAsync(new byte[10], cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(Timeout));

        await opened.WriteAsync(new byte[] { 1, 2 });
        Assert.Equal(new byte[] { 1, 2 }, await accepted.ReadExactlyAsync(2));
    }

    [Fact]
    public async Task DisposeAsync_SendsFinDropsUnreadBytesAndForgetsStream()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        await accepted.WriteAsync(new byte[1000]);
        await Poll.UntilAsync(() => opened.BufferedBytes == 1000);

        await opened.DisposeAsync();
        Assert.Equal(0, opened.BufferedBytes);
        Assert.Equal(0, pair.Dialer.StreamCount);
        Assert.Equal(0, await accepted.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));

        // Bytes the remote still sends are dropped without harm.
        await accepted.WriteAsync(new byte[1000]);
        Assert.Equal(1, pair.Listener.StreamCount);
        await accepted.DisposeAsync();
        Assert.Equal(0, pair.Listener.StreamCount);
        await pair.Dialer.PingAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task DisposeAsync_WriteInProgress_ResetsStream()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var write = opened.WriteAsync(new byte[Window * 2]).AsTask();
        await Poll.UntilAsync(() => opened.SendCredit == 0);

        await opened.DisposeAsync().AsTask().WaitAsync(Timeout);
        var local = await Assert.ThrowsAsync<StreamResetException>(() => write.WaitAsync(Timeout));
        Assert.False(local.Remote);
        var remote = await Assert.ThrowsAsync<StreamResetException>(() => accepted.ReadToEndAsync());
        Assert.True(remote.Remote);
    }

    [Fact]
    public async Task DisposeAsync_WhenReset_DoesNotThrow()
    {
        await using var pair = new SessionPair();
        var (opened, _) = await pair.OpenAsync();
        opened.Reset();
        await opened.DisposeAsync();
    }

    [Fact]
    public async Task ReadAsync_HalfWindowConsumed_SendsWindowUpdate()
    {
        var (session, peer) = RawPeer.Create(sessionIsInitiator: false);
        await peer.SendAsync(YamuxHeader.WindowUpdate(1, 0, YamuxFlags.Syn));
        var stream = await session.AcceptAsync().AsTask().WaitAsync(Timeout);
        var ack = await peer.ReadFrameAsync();
        Assert.Equal(YamuxHeader.WindowUpdate(1, 0, YamuxFlags.Ack), ack.Header);

        await peer.SendAsync(YamuxHeader.Data(1, Window / 2), new byte[Window / 2]);
        await stream.ReadExactlyAsync((Window / 2) - 1);
        await peer.SendAsync(YamuxHeader.Ping(5, response: false));
        Assert.Equal(YamuxFrameType.Ping, (await peer.ReadFrameAsync()).Header.Type);

        await stream.ReadExactlyAsync(1);
        var update = await peer.ReadFrameAsync();
        Assert.Equal(YamuxHeader.WindowUpdate(1, Window / 2), update.Header);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task OpenStreamAsync_LargerInitialWindow_GrantedInSyn()
    {
        var options = new YamuxOptions { PingOnStart = false, KeepAliveInterval = null, InitialStreamWindow = 1024 * 1024 };
        var (session, peer) = RawPeer.Create(sessionIsInitiator: true, options);
        var stream = await session.OpenStreamAsync().WaitAsync(Timeout);
        var syn = await peer.ReadFrameAsync();
        Assert.Equal(YamuxHeader.WindowUpdate(1, (1024 * 1024) - Window, YamuxFlags.Syn), syn.Header);

        // The peer may use the whole larger window at once.
        await peer.SendAsync(YamuxHeader.Data(1, 1024 * 1024, YamuxFlags.Ack), new byte[1024 * 1024]);
        Assert.Equal(1024 * 1024, (await stream.ReadExactlyAsync(1024 * 1024)).Length);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task ReadAsync_ReaderKeepsUpWithinFourRtts_WindowGrows()
    {
        var time = new FakeTimeProvider();
        var (session, peer) = RawPeer.Create(sessionIsInitiator: false, time: time);
        var ping = session.PingAsync();
        var request = await peer.ReadFrameAsync();
        time.Advance(TimeSpan.FromMilliseconds(100));
        await peer.SendAsync(YamuxHeader.Ping(request.Header.Length, response: true));
        Assert.Equal(TimeSpan.FromMilliseconds(100), await ping.WaitAsync(Timeout));

        await peer.SendAsync(YamuxHeader.WindowUpdate(1, 0, YamuxFlags.Syn));
        var stream = await session.AcceptAsync().AsTask().WaitAsync(Timeout);
        await peer.ReadFrameAsync(); // ACK

        await peer.SendAsync(YamuxHeader.Data(1, Window / 2), new byte[Window / 2]);
        await stream.ReadExactlyAsync(Window / 2);
        var update = await peer.ReadFrameAsync();

        // Half a window read at once: the window doubles, so the grant covers the new half.
        Assert.Equal(YamuxHeader.WindowUpdate(1, (uint)(2 * Window) - (Window / 2)), update.Header);
        Assert.Equal(2 * Window, stream.ReceiveWindowSize);

        // Slow reading (more than 4 RTT between updates) keeps the window.
        await peer.SendAsync(YamuxHeader.Data(1, Window), new byte[Window]);
        time.Advance(TimeSpan.FromSeconds(1));
        await stream.ReadExactlyAsync(Window);
        update = await peer.ReadFrameAsync();
        Assert.Equal(YamuxHeader.WindowUpdate(1, Window), update.Header);
        Assert.Equal(2 * Window, stream.ReceiveWindowSize);
        session.Abort(new IOException("done"));
    }
}
