using Microsoft.Extensions.Time.Testing;
using Rx.Network.Muxing;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Muxing;

/// <summary>
/// A stream's close waits for its FIN to reach the connection, which a peer that stops reading
/// can hold up for good: the wait is bounded by <see cref="YamuxOptions.CloseTimeout"/> on the
/// session's clock, then the stream is reset; the synchronous dispose of its adapter never blocks.
/// </summary>
public sealed class YamuxStreamCloseDeadlineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task DisposeAsync_PeerNotReading_ResetsAfterCloseTimeout()
    {
        var time = new FakeTimeProvider();
        var (session, _) = Clogged(time, out var closing);

        var dispose = closing.DisposeAsync().AsTask();
        Assert.False(dispose.IsCompleted);

        time.Advance(CloseTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(dispose.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await dispose.WaitAsync(Timeout);
        await Assert.ThrowsAsync<StreamResetException>(() => closing.Completion.WaitAsync(Timeout));
        session.Abort(new OperationCanceledException("test over"));
    }

    [Fact]
    public async Task CloseWriteAsync_PeerNotReading_ThrowsTimeoutAndResets()
    {
        var time = new FakeTimeProvider();
        var (session, _) = Clogged(time, out var closing);

        var close = closing.CloseWriteAsync().AsTask();
        Assert.False(close.IsCompleted);
        time.Advance(CloseTimeout);
        await Assert.ThrowsAsync<TimeoutException>(() => close.WaitAsync(Timeout));
        await Assert.ThrowsAsync<StreamResetException>(() => closing.Completion.WaitAsync(Timeout));
        session.Abort(new OperationCanceledException("test over"));
    }

    [Fact]
    public async Task AdapterDispose_PeerNotReading_ReturnsAtOnceAndTheCloseEndsAtTheDeadline()
    {
        var time = new FakeTimeProvider();
        var (session, _) = Clogged(time, out var closing);
        var adapter = new DuplexStream(closing, closing.DisposeAsync, TaskScheduler.Default);

        // On another thread, so that a blocking Dispose fails the test instead of hanging it.
        await Task.Run(adapter.Dispose).WaitAsync(Timeout);
        Assert.False(adapter.CanRead);
        Assert.False(adapter.Closed.IsCompleted);

        time.Advance(CloseTimeout);
        await adapter.Closed.WaitAsync(Timeout);
        await Assert.ThrowsAsync<StreamResetException>(() => closing.Completion.WaitAsync(Timeout));
        session.Abort(new OperationCanceledException("test over"));
    }

    [Fact]
    public async Task DisposeAsync_PeerReading_ClosesGracefullyWithoutTheClock()
    {
        var time = new FakeTimeProvider();
        await using var pair = new SessionPair(new YamuxOptions { KeepAliveInterval = null, CloseTimeout = CloseTimeout }, time);
        var (opened, accepted) = await pair.OpenAsync();
        await opened.WriteAsync(new byte[100_000]);
        await opened.DisposeAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(100_000, (await accepted.ReadToEndAsync()).Length);
    }

    /// <summary>
    /// A session whose peer reads nothing, with one stream's write filling the connection and a
    /// second stream (<paramref name="closing"/>, nothing written) whose FIN queues behind it.
    /// </summary>
    private static (YamuxSession Session, Task Clogging) Clogged(FakeTimeProvider time, out YamuxStream closing)
    {
        var options = new YamuxOptions { PingOnStart = false, KeepAliveInterval = null, CloseTimeout = CloseTimeout };
        var (session, _) = RawPeer.Create(options: options, time: time, capacity: 1);
        var clogging = session.OpenStreamAsync().WaitAsync(Timeout).GetAwaiter().GetResult();
        closing = session.OpenStreamAsync().WaitAsync(Timeout).GetAwaiter().GetResult();

        // A whole initial window: four full frames, more than the connection's one-chunk buffer.
        var write = clogging.WriteAsync(new byte[256 * 1024]).AsTask();
        return (session, write);
    }
}
