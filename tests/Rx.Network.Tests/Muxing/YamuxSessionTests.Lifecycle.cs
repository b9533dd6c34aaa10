using Microsoft.Extensions.Time.Testing;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

public partial class YamuxSessionTests
{
    [Fact]
    public async Task CloseAsync_SendsGoAway_PeerCannotOpenButExistingStreamsFinish()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();

        var closing = pair.Dialer.CloseAsync();
        await Poll.UntilAsync(async () =>
        {
            try
            {
                await pair.Listener.OpenStreamAsync();
                return false;
            }
            catch (MuxerClosedException e)
            {
                Assert.True(e.Remote);
                Assert.Equal(0u, e.ErrorCode);
                return true;
            }
        });
        var local = await Assert.ThrowsAsync<MuxerClosedException>(() => pair.Dialer.OpenStreamAsync());
        Assert.False(local.Remote);

        // The stream opened before the GoAway keeps working both ways.
        await opened.WriteAsync(new byte[] { 1 });
        Assert.Equal(new byte[] { 1 }, await accepted.ReadExactlyAsync(1));
        await accepted.WriteAsync(new byte[] { 2 });
        Assert.Equal(new byte[] { 2 }, await opened.ReadExactlyAsync(1));
        Assert.False(closing.IsCompleted);

        await opened.DisposeAsync();
        await accepted.DisposeAsync();
        await closing.WaitAsync(Timeout);
        await pair.Dialer.Completion.WaitAsync(Timeout);
        await pair.Listener.Completion.WaitAsync(Timeout);
    }

    [Fact]
    public async Task CloseAsync_StreamsLeftOpen_CutAfterCloseTimeout()
    {
        var time = new FakeTimeProvider();
        var options = new YamuxOptions { KeepAliveInterval = null, PingOnStart = false, CloseTimeout = TimeSpan.FromSeconds(5) };
        await using var pair = new SessionPair(options, time);
        var (opened, accepted) = await pair.OpenAsync();
        var pendingRead = opened.ReadAsync(new byte[1]).AsTask();

        var closing = pair.Dialer.CloseAsync();
        Assert.False(closing.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));

        await closing.WaitAsync(Timeout);
        var e = await Assert.ThrowsAsync<MuxerClosedException>(() => pendingRead.WaitAsync(Timeout));
        Assert.False(e.Remote);
        var remote = await Assert.ThrowsAsync<MuxerClosedException>(async () => await accepted.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));
        Assert.True(remote.Remote);
        await pair.Dialer.Completion.WaitAsync(Timeout);
        await pair.Listener.Completion.WaitAsync(Timeout);
    }

    [Fact]
    public async Task CloseAsync_NoStreams_BothSidesCompleteCleanly()
    {
        await using var pair = new SessionPair();
        await pair.Dialer.CloseAsync().WaitAsync(Timeout);
        await pair.Listener.Completion.WaitAsync(Timeout);
        Assert.True(pair.Dialer.Completion.IsCompletedSuccessfully);
        await pair.Dialer.CloseAsync().WaitAsync(Timeout);
        await Assert.ThrowsAsync<MuxerClosedException>(() => pair.Dialer.PingAsync());
        await Assert.ThrowsAsync<MuxerClosedException>(async () => await pair.Listener.AcceptAsync());
    }

    [Fact]
    public async Task CloseAsync_UnacceptedInboundStreams_AreReset()
    {
        await using var pair = new SessionPair();
        var opened = await pair.Dialer.OpenStreamAsync();
        await opened.WriteAsync(new byte[] { 1 });
        await Poll.UntilAsync(() => Task.FromResult(pair.Listener.StreamCount == 1));

        var closing = pair.Listener.CloseAsync();
        var e = await Assert.ThrowsAsync<StreamResetException>(() => opened.ReadToEndAsync());
        Assert.True(e.Remote);
        await closing.WaitAsync(Timeout);
    }

    [Fact]
    public async Task RemoteClosesConnection_OpenStreamsFailAndCompletionSucceeds()
    {
        var (session, peer) = RawPeer.Create();
        var stream = await session.OpenStreamAsync();
        var read = stream.ReadAsync(new byte[1]).AsTask();
        peer.CompleteOutput();

        var e = await Assert.ThrowsAsync<MuxerClosedException>(() => read.WaitAsync(Timeout));
        Assert.True(e.Remote);
        await session.Completion.WaitAsync(Timeout);
        await Assert.ThrowsAsync<MuxerClosedException>(async () => await stream.WriteAsync(new byte[1]));
        Assert.Equal(0, session.StreamCount);

        // Our side closed its output too.
        await peer.ReadToEndAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Abort_FaultsCompletionAndStreams()
    {
        await using var pair = new SessionPair();
        var (opened, _) = await pair.OpenAsync();
        var reason = new InvalidDataException("boom");
        pair.Dialer.Abort(reason);
        var e = await Assert.ThrowsAsync<MuxerClosedException>(async () => await opened.ReadAsync(new byte[1]));
        Assert.Same(reason, e.InnerException);
        Assert.Same(reason, await Assert.ThrowsAsync<InvalidDataException>(() => pair.Dialer.Completion.WaitAsync(Timeout)));
    }

    [Fact]
    public async Task RemoteGoAwayWithErrorCode_EndsSession()
    {
        var (session, peer) = RawPeer.Create();
        var stream = await session.OpenStreamAsync();
        await peer.SendAsync(YamuxHeader.GoAway((uint)YamuxGoAwayCode.InternalError));
        peer.CompleteOutput();
        var e = await Assert.ThrowsAsync<MuxerClosedException>(() => session.Completion.WaitAsync(Timeout));
        Assert.True(e.Remote);
        Assert.Equal(2u, e.ErrorCode);
        var streamError = await Assert.ThrowsAsync<MuxerClosedException>(async () => await stream.ReadAsync(new byte[1]));
        Assert.Equal(2u, streamError.ErrorCode);
    }

    [Fact]
    public async Task RemoteGoAwayNormal_FailsWaitingOpens()
    {
        var options = new YamuxOptions { PingOnStart = false, KeepAliveInterval = null, MaxAckBacklog = 1 };
        var (session, peer) = RawPeer.Create(options: options);
        await session.OpenStreamAsync();
        var waiting = session.OpenStreamAsync();
        Assert.False(waiting.IsCompleted);
        await peer.SendAsync(YamuxHeader.GoAway(0));
        var e = await Assert.ThrowsAsync<MuxerClosedException>(() => waiting.WaitAsync(Timeout));
        Assert.True(e.Remote);
        Assert.False(session.Completion.IsCompleted);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task PingAsync_ReturnsRoundTripFromInjectedClock()
    {
        var time = new FakeTimeProvider();
        var (session, peer) = RawPeer.Create(time: time);
        Assert.Equal(TimeSpan.Zero, session.MinRtt);
        var first = session.PingAsync();
        var shared = session.PingAsync();
        var request = await peer.ReadFrameAsync();
        Assert.Equal(YamuxFrameType.Ping, request.Header.Type);
        Assert.Equal(YamuxFlags.Syn, request.Header.Flags);
        Assert.Equal(0u, request.Header.StreamId);

        time.Advance(TimeSpan.FromMilliseconds(40));
        await peer.SendAsync(YamuxHeader.Ping(request.Header.Length + 1, response: true));
        await peer.SendAsync(YamuxHeader.Ping(request.Header.Length, response: true));
        Assert.Equal(TimeSpan.FromMilliseconds(40), await first.WaitAsync(Timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(40), await shared.WaitAsync(Timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(40), session.Rtt);

        var second = session.PingAsync();
        request = await peer.ReadFrameAsync();
        time.Advance(TimeSpan.FromMilliseconds(20));
        await peer.SendAsync(YamuxHeader.Ping(request.Header.Length, response: true));
        Assert.Equal(TimeSpan.FromMilliseconds(20), await second.WaitAsync(Timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(30), session.Rtt);
        Assert.Equal(TimeSpan.FromMilliseconds(20), session.MinRtt);

        // A round trip inflated by queues (a busy connection) moves the mean, never the minimum.
        var third = session.PingAsync();
        request = await peer.ReadFrameAsync();
        time.Advance(TimeSpan.FromMilliseconds(90));
        await peer.SendAsync(YamuxHeader.Ping(request.Header.Length, response: true));
        Assert.Equal(TimeSpan.FromMilliseconds(90), await third.WaitAsync(Timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(60), session.Rtt);
        Assert.Equal(TimeSpan.FromMilliseconds(20), session.MinRtt);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task PingAsync_BetweenSessions_Completes()
    {
        await using var pair = new SessionPair();
        var rtt = await pair.Dialer.PingAsync().WaitAsync(Timeout);
        Assert.True(rtt >= TimeSpan.Zero);
    }

    [Fact]
    public async Task Ping_FromPeer_IsAnsweredWithSameValue()
    {
        var (session, peer) = RawPeer.Create();
        await peer.SendAsync(YamuxHeader.Ping(0xDEADBEEF, response: false));
        var pong = await peer.ReadFrameAsync();
        Assert.Equal(YamuxHeader.Ping(0xDEADBEEF, response: true), pong.Header);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task PingOnStart_SendsPingFirst()
    {
        var options = new YamuxOptions { KeepAliveInterval = null };
        var (session, peer) = RawPeer.Create(options: options);
        var first = await peer.ReadFrameAsync();
        Assert.Equal(YamuxFrameType.Ping, first.Header.Type);
        Assert.Equal(YamuxFlags.Syn, first.Header.Flags);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task KeepAlive_PingsEveryInterval_AndUnansweredPingEndsSession()
    {
        var time = new FakeTimeProvider();
        var options = new YamuxOptions
        {
            PingOnStart = false,
            KeepAliveInterval = TimeSpan.FromSeconds(30),
            PingTimeout = TimeSpan.FromSeconds(10),
        };
        var (session, peer) = RawPeer.Create(options: options, time: time);

        time.Advance(TimeSpan.FromSeconds(30));
        var ping = await peer.ReadFrameAsync();
        Assert.Equal(YamuxFrameType.Ping, ping.Header.Type);
        time.Advance(TimeSpan.FromSeconds(1));
        await peer.SendAsync(YamuxHeader.Ping(ping.Header.Length, response: true));
        await Poll.UntilAsync(() => Task.FromResult(session.Rtt == TimeSpan.FromSeconds(1)));

        time.Advance(TimeSpan.FromSeconds(29));
        ping = await peer.ReadFrameAsync();
        Assert.Equal(YamuxFrameType.Ping, ping.Header.Type);
        time.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<TimeoutException>(() => session.Completion.WaitAsync(Timeout));
    }

    [Fact]
    public async Task InboundStreams_DeliversStreamsAndCompletesOnCleanClose()
    {
        await using var pair = new SessionPair();
        var received = new List<uint>();
        var completed = new TaskCompletionSource();
        var two = new TaskCompletionSource();
        using var subscription = pair.Listener.InboundStreams.Subscribe(
            s =>
            {
                lock (received)
                {
                    received.Add(s.Id);
                    if (received.Count == 2)
                    {
                        two.TrySetResult();
                    }
                }
            },
            e => completed.TrySetException(e),
            () => completed.TrySetResult());

        var a = await pair.Dialer.OpenStreamAsync();
        var b = await pair.Dialer.OpenStreamAsync();
        await two.Task.WaitAsync(Timeout);
        Assert.Equal([1u, 3u], received.Order());
        Assert.Equal(2, pair.Listener.InboundStreamCount);
        Assert.Equal(2, pair.Dialer.OutboundStreamCount);

        await a.DisposeAsync();
        await b.DisposeAsync();
        await pair.Dialer.CloseAsync().WaitAsync(Timeout);
        await completed.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task InboundStreams_SessionFails_Errors()
    {
        var (session, peer) = RawPeer.Create();
        var error = session.InboundStreams.Materialize().FirstAsync(n => n.Kind != System.Reactive.NotificationKind.OnNext).ToTask();
        await peer.SendBytesAsync(new byte[] { 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 });
        var notification = await error.WaitAsync(Timeout);
        Assert.IsType<MuxerClosedException>(notification.Exception);
        Assert.IsType<WireProtocolViolationException>(notification.Exception!.InnerException);
    }
}
