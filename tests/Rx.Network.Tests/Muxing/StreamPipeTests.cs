using System.Buffers;
using System.IO.Pipelines;
using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

/// <summary>
/// <see cref="StreamPipe"/> (<see cref="IStream.AsPipe"/>) over a yamux stream pair: bytes both
/// ways, bounded buffering in both directions, and completion and reset mapped onto the stream.
/// </summary>
public sealed class StreamPipeTests
{
    private const int Window = YamuxHeader.InitialWindow;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Output_Complete_HalfClosesAfterEveryByte()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var pipe = new StreamPipe(opened);
        var data = Pattern(300_000);

        var reading = accepted.ReadToEndAsync();
        await pipe.Output.WriteAsync(data).AsTask().WaitAsync(Timeout);
        await pipe.Output.CompleteAsync();

        Assert.Equal(data, await reading);
    }

    [Fact]
    public async Task Input_RemoteHalfClose_CompletesAfterTheLastByte()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var pipe = new StreamPipe(opened);
        var data = Pattern(200_000);

        var writing = Task.Run(async () =>
        {
            await accepted.WriteAsync(data);
            await accepted.CloseWriteAsync();
        });

        Assert.Equal(data, await ReadToEndAsync(pipe.Input));
        await writing.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Output_CompleteWithException_ResetsTheStream()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var pipe = new StreamPipe(opened);

        await pipe.Output.CompleteAsync(new InvalidOperationException("the application gave up"));

        var reset = await Assert.ThrowsAsync<StreamResetException>(() => accepted.ReadToEndAsync());
        Assert.True(reset.Remote);
    }

    [Fact]
    public async Task Input_CompleteWithException_ResetsTheStream()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var pipe = new StreamPipe(opened);

        await pipe.Input.CompleteAsync(new InvalidOperationException("the application gave up"));

        await Assert.ThrowsAsync<StreamResetException>(() => accepted.ReadToEndAsync());
    }

    [Fact]
    public async Task RemoteReset_FaultsInput_AndTheNextFlush()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var pipe = new StreamPipe(opened);

        accepted.Reset();

        var onRead = await Assert.ThrowsAsync<StreamResetException>(async () => await pipe.Input.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.True(onRead.Remote);

        // The sending pump learns of the reset on its next write; a flush after that throws.
        Exception? onFlush = null;
        for (int attempt = 0; attempt < 100 && onFlush is null; attempt++)
        {
            try
            {
                await pipe.Output.WriteAsync(new byte[] { 1 }).AsTask().WaitAsync(Timeout);
                await Task.Yield();
            }
            catch (Exception e)
            {
                onFlush = e;
            }
        }

        Assert.IsType<StreamResetException>(onFlush);
    }

    [Fact]
    public async Task Output_PeerNotReading_FlushWaitsOnceTheWindowAndOnePipeAreFull()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var pipe = new StreamPipe(opened);
        const int Chunk = 16 * 1024;

        // Unbounded buffering would accept every flush at once; bounded, one has to wait. A flush
        // may also wait briefly while the pump hands bytes to the session (a busy machine), so a
        // pending flush counts only once the peer holds a full window and it still waits.
        long written = 0;
        Task<FlushResult> flush;
        while (true)
        {
            pipe.Output.Write(new byte[Chunk]);
            written += Chunk;
            flush = pipe.Output.FlushAsync().AsTask();
            var pending = flush;
            await Poll.UntilAsync(() => pending.IsCompleted || accepted.BufferedBytes == Window);
            if (!flush.IsCompleted)
            {
                break;
            }

            Assert.True(written <= Window + (2 * StreamPipe.PauseThreshold) + Chunk, $"{written} bytes accepted with the peer not reading.");
        }

        Assert.Equal(Window, accepted.BufferedBytes);

        // Reading releases everything, in order.
        var draining = Task.Run(() => accepted.ReadExactlyAsync((int)written));
        await flush.WaitAsync(Timeout);
        Assert.Equal(written, (await draining.WaitAsync(Timeout)).Length);
    }

    [Fact]
    public async Task Input_ApplicationNotReading_StopsReadingTheStream()
    {
        // No auto-tuning: the window stays one initial window.
        await using var pair = new SessionPair(new YamuxOptions { KeepAliveInterval = null, MaxStreamWindow = Window });
        var (opened, accepted) = await pair.OpenAsync();
        var pipe = new StreamPipe(opened);
        var data = Pattern(4 * Window);

        var writing = accepted.WriteAsync(data).AsTask();

        // The pipe fills to its threshold and the sender runs out of credit; a pipe that read
        // without bound would hold everything the writer sent.
        long held = 0;
        await Poll.UntilAsync(() =>
        {
            held = Held(pipe.Input);
            return held >= StreamPipe.PauseThreshold && accepted.SendCredit == 0;
        });
        Assert.True(held + opened.BufferedBytes <= Window + StreamPipe.PauseThreshold + 8192, $"{held} bytes in the pipe, {opened.BufferedBytes} in the stream.");
        Assert.False(writing.IsCompleted);

        Assert.Equal(data, await ReadExactlyAsync(pipe.Input, data.Length));
        await writing.WaitAsync(Timeout);
    }

    [Fact]
    public async Task CompletingBoth_DisposesTheStream()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();

        // The pipe's own ending (its default: the stream's DisposeAsync), observed: the session
        // forgets the stream when both FINs have passed, which may be before the pumps end.
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipe = new StreamPipe(opened, async () =>
        {
            await opened.DisposeAsync();
            disposed.TrySetResult();
        });

        await pipe.Output.WriteAsync(new byte[] { 1, 2, 3 });
        await pipe.Output.CompleteAsync();
        await pipe.Input.CompleteAsync();

        Assert.Equal(new byte[] { 1, 2, 3 }, await accepted.ReadToEndAsync());
        await accepted.CloseWriteAsync();
        await disposed.Task.WaitAsync(Timeout);
        await Poll.UntilAsync(() => pair.Dialer.StreamCount == 0);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await opened.CloseWriteAsync());
    }

    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(i * 7);
        }

        return data;
    }

    /// <summary>The bytes waiting in <paramref name="reader"/>, looked at without consuming or examining them.</summary>
    private static long Held(PipeReader reader)
    {
        if (!reader.TryRead(out var result))
        {
            return 0;
        }

        long length = result.Buffer.Length;
        reader.AdvanceTo(result.Buffer.Start);
        return length;
    }

    private static async Task<byte[]> ReadToEndAsync(PipeReader reader)
    {
        var result = new MemoryStream();
        while (true)
        {
            var read = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            foreach (var segment in read.Buffer)
            {
                result.Write(segment.Span);
            }

            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return result.ToArray();
            }
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(PipeReader reader, int count)
    {
        var result = new MemoryStream();
        while (result.Length < count)
        {
            var read = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            Assert.False(read.IsCompleted && read.Buffer.IsEmpty);
            var take = read.Buffer.Slice(0, Math.Min(read.Buffer.Length, count - result.Length));
            foreach (var segment in take)
            {
                result.Write(segment.Span);
            }

            reader.AdvanceTo(take.End);
        }

        return result.ToArray();
    }
}
