using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

/// <summary>
/// The stream write path: at most one data frame of a stream queued, later writes growing it while
/// it waits, and what cancellation does at each wait.
/// </summary>
public class YamuxWritePathTests
{
    private const int FrameSize = 1000;
    private static readonly TimeSpan Timeout = RawPeer.Timeout;
    private static readonly YamuxOptions Options = new() { PingOnStart = false, KeepAliveInterval = null, MaxFrameSize = FrameSize };

    [Fact]
    public async Task WriteAsync_BulkWrites_LaterWritesFillTheFrameStillQueued()
    {
        // Writes of 1.5 frames: cut one by one they make a full frame and a half frame each. A
        // half frame still queued when the next write comes is filled by it, so the peer sees
        // fewer frames than that, all of them whole but the last; the bytes are intact either way.
        var (session, peer) = RawPeer.Create(options: Options);
        var stream = await session.OpenStreamAsync().WaitAsync(Timeout);
        const int writes = 150;
        var data = new byte[writes * FrameSize * 3 / 2];
        Random.Shared.NextBytes(data);

        var reading = Task.Run(async () =>
        {
            var received = new MemoryStream();
            var sizes = new List<int>();
            while (true)
            {
                var (header, payload) = await peer.ReadFrameAsync();
                if (header.Type == YamuxFrameType.Data && payload.Length > 0)
                {
                    received.Write(payload);
                    sizes.Add(payload.Length);
                }

                if (header.Has(YamuxFlags.Fin))
                {
                    return (received.ToArray(), sizes);
                }
            }
        });

        for (int i = 0; i < writes; i++)
        {
            await stream.WriteAsync(data.AsMemory(i * FrameSize * 3 / 2, FrameSize * 3 / 2)).AsTask().WaitAsync(Timeout);
        }

        await stream.CloseWriteAsync().AsTask().WaitAsync(Timeout);
        var (bytes, frames) = await reading.WaitAsync(Timeout);

        Assert.Equal(data, bytes);
        Assert.All(frames, size => Assert.InRange(size, 1, FrameSize));
        Assert.True(frames.Count < 2 * writes, $"{frames.Count} frames for {writes} writes: no write filled a queued frame.");
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task WriteAsync_ReturnsOnceItsLastFrameIsQueued_OneFrameAhead()
    {
        // Capacity 1 and a peer that does not read: the first frame fills the connection, the
        // second waits in the writer, and the write returns; the next write must wait for it.
        var (session, peer, stream) = await OpenOnFullableConnectionAsync();
        await stream.WriteAsync(new byte[2 * FrameSize]).AsTask().WaitAsync(Timeout);
        await Poll.UntilAsync(() => Task.FromResult(session.IsWriterWaiting));

        var next = stream.WriteAsync(new byte[] { 5 }).AsTask();
        Assert.False(next.IsCompleted);

        Assert.Equal(FrameSize, (await peer.ReadFrameAsync()).Payload.Length);
        Assert.Equal(FrameSize, (await peer.ReadFrameAsync()).Payload.Length);
        await next.WaitAsync(Timeout);
        Assert.Equal(new byte[] { 5 }, (await peer.ReadFrameAsync()).Payload);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task WriteAsync_CancelledWaitingForAnEarlierWritesFrame_StreamStaysUsable()
    {
        var (session, peer, stream) = await OpenOnFullableConnectionAsync();
        await stream.WriteAsync(new byte[2 * FrameSize]).AsTask().WaitAsync(Timeout);
        await Poll.UntilAsync(() => Task.FromResult(session.IsWriterWaiting));

        // Nothing of this write is queued when it gives up: no reset, the earlier bytes still go.
        using var cts = new CancellationTokenSource();
        var blocked = stream.WriteAsync(new byte[] { 9 }, cts.Token).AsTask();
        Assert.False(blocked.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(Timeout));

        Assert.Equal(FrameSize, (await peer.ReadFrameAsync()).Payload.Length);
        Assert.Equal(FrameSize, (await peer.ReadFrameAsync()).Payload.Length);
        await stream.WriteAsync(new byte[] { 7 }).AsTask().WaitAsync(Timeout);
        var closing = stream.CloseWriteAsync().AsTask();
        var (header, payload) = await peer.ReadFrameAsync();
        Assert.Equal(new byte[] { 7 }, payload);
        Assert.Equal(YamuxFrameType.Data, header.Type);
        Assert.True((await peer.ReadFrameAsync()).Header.Has(YamuxFlags.Fin));
        await closing.WaitAsync(Timeout);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task WriteAsync_CancelledAfterSomeOfItWasQueued_ResetsStream()
    {
        // Three frames: the first fills the connection, the second waits in the writer, the third
        // waits for the second. Giving up then would truncate the write: the stream is reset.
        var (session, peer, stream) = await OpenOnFullableConnectionAsync();
        using var cts = new CancellationTokenSource();
        var write = stream.WriteAsync(new byte[3 * FrameSize], cts.Token).AsTask();
        await Poll.UntilAsync(() => Task.FromResult(session.IsWriterWaiting));
        Assert.False(write.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(Timeout));

        var rst = await peer.ReadUntilAsync(h => h.Has(YamuxFlags.Rst));
        Assert.Equal(stream.Id, rst.Header.StreamId);
        await Assert.ThrowsAsync<StreamResetException>(async () => await stream.WriteAsync(new byte[1]));
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task WriteAsync_QueuedFrameFailsAfterTheWriteReturned_NextWriteThrows()
    {
        var (session, _, stream) = await OpenOnFullableConnectionAsync();
        await stream.WriteAsync(new byte[2 * FrameSize]).AsTask().WaitAsync(Timeout);
        await Poll.UntilAsync(() => Task.FromResult(session.IsWriterWaiting));

        session.Abort(new IOException("gone"));
        await Assert.ThrowsAsync<MuxerClosedException>(async () => await stream.WriteAsync(new byte[1]).AsTask().WaitAsync(Timeout));
    }

    /// <summary>A session over a one-chunk connection whose peer reads only when told, with one stream opened (its SYN already read).</summary>
    private static async Task<(YamuxSession Session, RawPeer Peer, YamuxStream Stream)> OpenOnFullableConnectionAsync()
    {
        var (session, peer) = RawPeer.Create(options: Options, capacity: 1);
        var stream = await session.OpenStreamAsync().WaitAsync(Timeout);
        Assert.True((await peer.ReadFrameAsync()).Header.Has(YamuxFlags.Syn));
        return (session, peer, stream);
    }
}
