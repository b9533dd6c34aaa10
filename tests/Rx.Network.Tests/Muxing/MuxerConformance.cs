using System.Security.Cryptography;
using Rx.Network.Muxing;
using Rx.Network.Reactive;

namespace Rx.Network.Tests.Muxing;

/// <summary>
/// The contract every stream muxer meets (<see cref="IMuxerSession"/>, <see cref="IMuxedStream"/>),
/// run over each implementation: streams pair up, carry bytes both ways intact, half-close each
/// direction on its own, reset both ways with the side recorded, and complete when they end or
/// their session does.
/// </summary>
public abstract class MuxerConformance : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly List<IMuxerSession> sessions = [];

    /// <summary>Creates a connected pair; a graceful close waits at most <paramref name="closeTimeout"/> for open streams.</summary>
    internal abstract (IMuxerSession Dialer, IMuxerSession Listener) CreatePair(TimeSpan closeTimeout);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var session in sessions)
        {
            session.Abort(new OperationCanceledException("test over"));
        }

        await Task.WhenAll(sessions.Select(s => s.Completion.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(Timeout);
    }

    [Fact]
    public async Task OpenAndAccept_PairUp()
    {
        var (dialer, listener) = Pair();
        var (opened, accepted) = await OpenAsync(dialer, listener);
        Assert.True(opened.IsOutbound);
        Assert.False(accepted.IsOutbound);
        Assert.Equal(opened.StreamId, accepted.StreamId);

        // Either side may open.
        var (back, backAccepted) = await OpenAsync(listener, dialer);
        Assert.Equal(back.StreamId, backAccepted.StreamId);
        Assert.NotEqual(opened.StreamId, back.StreamId);
    }

    [Fact]
    public async Task Data_BothWaysAtOnce_ArrivesIntact()
    {
        var (dialer, listener) = Pair();
        var (opened, accepted) = await OpenAsync(dialer, listener);
        var up = RandomNumberGenerator.GetBytes(1024 * 1024 + 3);
        var down = RandomNumberGenerator.GetBytes(700_001);

        var sending = Task.WhenAll(SendAndCloseAsync(opened, up), SendAndCloseAsync(accepted, down));
        var received = await Task.WhenAll(ReadToEndAsync(accepted), ReadToEndAsync(opened)).WaitAsync(Timeout);
        await sending.WaitAsync(Timeout);
        Assert.Equal(SHA256.HashData(up), SHA256.HashData(received[0]));
        Assert.Equal(SHA256.HashData(down), SHA256.HashData(received[1]));
    }

    [Fact]
    public async Task Data_ManyStreamsAtOnce_StayApart()
    {
        var (dialer, listener) = Pair();
        var pairs = new List<(IMuxedStream Out, IMuxedStream In)>();
        for (int i = 0; i < 8; i++)
        {
            pairs.Add(await OpenAsync(dialer, listener));
        }

        var payloads = pairs.Select((_, i) => Enumerable.Repeat((byte)i, 50_000 + i).ToArray()).ToArray();
        var sending = Task.WhenAll(pairs.Select((p, i) => SendAndCloseAsync(p.Out, payloads[i])));
        var received = await Task.WhenAll(pairs.Select(p => ReadToEndAsync(p.In))).WaitAsync(Timeout);
        await sending.WaitAsync(Timeout);
        for (int i = 0; i < pairs.Count; i++)
        {
            Assert.Equal(payloads[i], received[i]);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CloseWrite_EndsOneDirection_TheOtherGoesOn_ThenBothComplete(bool openerFirst)
    {
        var (dialer, listener) = Pair();
        var (opened, accepted) = await OpenAsync(dialer, listener);
        var (first, second) = openerFirst ? (opened, accepted) : (accepted, opened);

        await SendAndCloseAsync(first, [1, 2, 3]);
        Assert.Equal([1, 2, 3], await ReadToEndAsync(second));
        Assert.Equal(0, await second.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await first.WriteAsync(new byte[] { 9 }));
        Assert.False(first.Completion.IsCompleted);

        // The other direction still carries bytes after the half-close.
        await SendAndCloseAsync(second, [4, 5]);
        Assert.Equal([4, 5], await ReadToEndAsync(first));
        await Task.WhenAll(opened.Completion, accepted.Completion).WaitAsync(Timeout);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reset_FailsBothSides_WithTheSideRecorded(bool openerResets)
    {
        var (dialer, listener) = Pair();
        var (opened, accepted) = await OpenAsync(dialer, listener);
        var (resetter, other) = openerResets ? (opened, accepted) : (accepted, opened);
        var pendingRead = other.ReadAsync(new byte[16]).AsTask();

        resetter.Reset();
        resetter.Reset();

        var remote = await Assert.ThrowsAsync<StreamResetException>(() => pendingRead.WaitAsync(Timeout));
        Assert.True(remote.Remote);
        var local = await Assert.ThrowsAsync<StreamResetException>(async () => await resetter.ReadAsync(new byte[1]));
        Assert.False(local.Remote);
        await Assert.ThrowsAsync<StreamResetException>(async () => await resetter.WriteAsync(new byte[1]));
        Assert.False((await Assert.ThrowsAsync<StreamResetException>(() => resetter.Completion.WaitAsync(Timeout))).Remote);
        Assert.True((await Assert.ThrowsAsync<StreamResetException>(() => other.Completion.WaitAsync(Timeout))).Remote);

        // Other streams of the session are untouched.
        var (next, nextAccepted) = await OpenAsync(dialer, listener);
        await SendAndCloseAsync(next, [7]);
        Assert.Equal([7], await ReadToEndAsync(nextAccepted));
    }

    [Fact]
    public async Task Reset_AfterBothSidesClosed_ChangesNothing()
    {
        var (dialer, listener) = Pair();
        var (opened, accepted) = await OpenAsync(dialer, listener);
        await SendAndCloseAsync(opened, [1]);
        await SendAndCloseAsync(accepted, [2]);
        Assert.Equal([2], await ReadToEndAsync(opened));
        Assert.Equal([1], await ReadToEndAsync(accepted));
        await Task.WhenAll(opened.Completion, accepted.Completion).WaitAsync(Timeout);

        opened.Reset();
        Assert.True(opened.Completion.IsCompletedSuccessfully);
        Assert.True(accepted.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Dispose_RemoteReadsTheEnd()
    {
        var (dialer, listener) = Pair();
        var (opened, accepted) = await OpenAsync(dialer, listener);
        await opened.WriteAsync(new byte[] { 1, 2 });
        await opened.DisposeAsync();
        Assert.Equal([1, 2], await ReadToEndAsync(accepted));
        await opened.Completion.WaitAsync(Timeout);
    }

    [Fact]
    public async Task CloseAsync_LetsOpenStreamsFinish_ThenEndsBothSessions()
    {
        var (dialer, listener) = Pair();
        var (opened, accepted) = await OpenAsync(dialer, listener);
        var closing = dialer.CloseAsync();

        // A graceful close refuses new streams but lets the open one finish its exchange.
        await Assert.ThrowsAnyAsync<IOException>(() => dialer.OpenStreamAsync().WaitAsync(Timeout));
        await SendAndCloseAsync(opened, [1, 2, 3]);
        Assert.Equal([1, 2, 3], await ReadToEndAsync(accepted));
        Assert.False(closing.IsCompleted);
        await SendAndCloseAsync(accepted, [4]);
        Assert.Equal([4], await ReadToEndAsync(opened));

        await closing.WaitAsync(Timeout);
        await Task.WhenAll(dialer.Completion, listener.Completion).WaitAsync(Timeout);
        await Task.WhenAll(opened.Completion, accepted.Completion).WaitAsync(Timeout);
        Assert.Null(await listener.AcceptStreamAsync().AsTask().WaitAsync(Timeout));
        Assert.Null(await dialer.AcceptStreamAsync().AsTask().WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<IOException>(() => listener.OpenStreamAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task CloseAsync_StreamsStillOpenAfterTheTimeout_AreEnded()
    {
        var (dialer, listener) = Pair(TimeSpan.FromMilliseconds(200));
        var (opened, accepted) = await OpenAsync(dialer, listener);
        var pendingRead = accepted.ReadAsync(new byte[1]).AsTask();

        await dialer.CloseAsync().WaitAsync(Timeout);
        await Assert.ThrowsAnyAsync<IOException>(() => opened.Completion.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<IOException>(() => pendingRead.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<IOException>(() => accepted.Completion.WaitAsync(Timeout));
        await Task.WhenAll(dialer.Completion, listener.Completion).WaitAsync(Timeout);
    }

    [Fact]
    public async Task Abort_FailsEveryStreamOnBothSides_AndEndsBothSessions()
    {
        var (dialer, listener) = Pair();
        var pairs = new List<(IMuxedStream Out, IMuxedStream In)>();
        for (int i = 0; i < 3; i++)
        {
            pairs.Add(await OpenAsync(dialer, listener));
        }

        var remoteReads = pairs.Select(p => p.In.ReadAsync(new byte[1]).AsTask()).ToArray();
        var reason = new IOException("test abort");
        dialer.Abort(reason);

        var failed = await Assert.ThrowsAnyAsync<Exception>(() => dialer.Completion.WaitAsync(Timeout));
        Assert.Same(reason, failed);
        foreach (var (outbound, inbound) in pairs)
        {
            await Assert.ThrowsAnyAsync<IOException>(() => outbound.Completion.WaitAsync(Timeout));
            await Assert.ThrowsAnyAsync<IOException>(async () => await outbound.ReadAsync(new byte[1]));
            await Assert.ThrowsAnyAsync<IOException>(() => inbound.Completion.WaitAsync(Timeout));
        }

        foreach (var read in remoteReads)
        {
            await Assert.ThrowsAnyAsync<IOException>(() => read.WaitAsync(Timeout));
        }

        await listener.Completion.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Timeout);
        Assert.Null(await listener.AcceptStreamAsync().AsTask().WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<IOException>(() => dialer.OpenStreamAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task RemoteEndsTheSession_AcceptReturnsNullAndStreamsEnd()
    {
        var (dialer, listener) = Pair(TimeSpan.FromMilliseconds(200));
        var (opened, accepted) = await OpenAsync(dialer, listener);
        var accepting = dialer.AcceptStreamAsync().AsTask();

        await listener.CloseAsync().WaitAsync(Timeout);
        Assert.Null(await accepting.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<IOException>(() => opened.Completion.WaitAsync(Timeout));
        await Task.WhenAll(dialer.Completion, listener.Completion).WaitAsync(Timeout);
    }

    private (IMuxerSession Dialer, IMuxerSession Listener) Pair(TimeSpan? closeTimeout = null)
    {
        var pair = CreatePair(closeTimeout ?? TimeSpan.FromSeconds(30));
        sessions.Add(pair.Dialer);
        sessions.Add(pair.Listener);
        return pair;
    }

    private static async Task<(IMuxedStream Out, IMuxedStream In)> OpenAsync(IMuxerSession opener, IMuxerSession acceptor)
    {
        var opened = await opener.OpenStreamAsync().WaitAsync(Timeout);
        var accepted = await acceptor.AcceptStreamAsync().AsTask().WaitAsync(Timeout);
        Assert.NotNull(accepted);
        return (opened, accepted);
    }

    private static async Task SendAndCloseAsync(IMuxedStream stream, byte[] data)
    {
        for (int offset = 0; offset < data.Length; offset += 10_000)
        {
            await stream.WriteAsync(data.AsMemory(offset, Math.Min(10_000, data.Length - offset))).AsTask().WaitAsync(Timeout);
        }

        await stream.CloseWriteAsync().AsTask().WaitAsync(Timeout);
    }

    private static async Task<byte[]> ReadToEndAsync(IMuxedStream stream)
    {
        var result = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout)) > 0)
        {
            result.Write(buffer, 0, read);
        }

        return result.ToArray();
    }
}

/// <summary>The muxer conformance suite over yamux on in-memory channels.</summary>
public sealed class YamuxMuxerConformanceTests : MuxerConformance
{
    internal override (IMuxerSession Dialer, IMuxerSession Listener) CreatePair(TimeSpan closeTimeout)
    {
        var (a, b) = Rx.Network.Transports.InMemoryDuplexChannel.CreatePair();
        var factory = new YamuxMuxerFactory(new YamuxOptions { KeepAliveInterval = null, CloseTimeout = closeTimeout }, TimeProvider.System, new NetworkScheduler(TimeProvider.System));
        return (factory.Create(a, isInitiator: true), factory.Create(b, isInitiator: false));
    }
}
