using System.Security.Cryptography;
using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Security;

namespace Rx.Network.Tests.Security;

/// <summary>
/// The contract every secure channel must meet, run over each implementation (plaintext, Noise):
/// ordered delivery, half-close, abort, and bounded buffering.
/// </summary>
public abstract partial class SecureChannelConformance
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates two connected, already-handshaken channels (A dialed B).</summary>
    internal abstract Task<(ISecureChannel A, ISecureChannel B)> CreatePairAsync(SecureChannelOptions? options = null);

    [Fact]
    public async Task Transfer_ManyChunks_ArriveInOrder()
    {
        var (a, b) = await CreatePairAsync();
        var payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var sending = SendAllAsync(a, payload, seed: 1);
        var received = await ReadAllAsync(b, payload.Length);
        await sending.WaitAsync(Timeout);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received));
    }

    [Fact]
    public async Task Transfer_BothDirectionsAtOnce()
    {
        var (a, b) = await CreatePairAsync();
        var ab = RandomNumberGenerator.GetBytes(1024 * 1024);
        var ba = RandomNumberGenerator.GetBytes(777_777);
        var sends = Task.WhenAll(SendAllAsync(a, ab, 2), SendAllAsync(b, ba, 3));
        var reads = await Task.WhenAll(ReadAllAsync(b, ab.Length), ReadAllAsync(a, ba.Length)).WaitAsync(Timeout);
        await sends.WaitAsync(Timeout);
        Assert.Equal(ab, reads[0]);
        Assert.Equal(ba, reads[1]);
    }

    [Fact]
    public async Task Complete_HalfClosesAfterDeliveringEverything()
    {
        var (a, b) = await CreatePairAsync();
        var payload = RandomNumberGenerator.GetBytes(100_000);
        await SendAllAsync(a, payload, 4);
        a.Output.Complete();

        var received = await ReadToEndAsync(b).WaitAsync(Timeout);
        Assert.Equal(payload, received);
        await b.Input.Completion.WaitAsync(Timeout);

        // The other direction still works after the half-close.
        await SendAllAsync(b, [1, 2, 3], 5);
        Assert.Equal([1, 2, 3], await ReadAllAsync(a, 3));
        b.Output.Complete();
        await Task.WhenAll(a.Completion, b.Completion).WaitAsync(Timeout);
    }

    [Fact]
    public async Task Abort_FaultsBothEnds()
    {
        var (a, b) = await CreatePairAsync();
        var reason = new IOException("test abort");
        a.Abort(reason);
        var local = await Assert.ThrowsAnyAsync<Exception>(() => a.Input.Completion.WaitAsync(Timeout));
        Assert.Same(reason, Unwrap(local));
        await Assert.ThrowsAnyAsync<Exception>(() => b.Input.Completion.WaitAsync(Timeout));
        await a.Completion.WaitAsync(Timeout);
        Assert.False(await a.Output.SendAsync(PooledBuffer.CopyOf([1])));
    }

    [Fact]
    public async Task SlowReader_StopsTheWriter_WithBoundedBuffering()
    {
        var options = new SecureChannelOptions { InputCapacity = 4, OutputCapacity = 4 };
        var (a, b) = await CreatePairAsync(options);
        const int chunk = 16 * 1024;
        long accepted = 0;
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var send = a.Output.SendAsync(PooledBuffer.Rent(chunk), stop.Token);
                if (!send.IsCompleted)
                {
                    blocked.TrySetResult();
                }

                try
                {
                    await send;
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Interlocked.Add(ref accepted, chunk);
            }
        });

        // Backpressure must engage: at some point a send has to wait.
        await blocked.Task.WaitAsync(Timeout);

        // Whatever the timing, what was accepted is bounded by the pipeline's buffers (the
        // in-memory pipe's default pause threshold is 64 KiB per direction; TCP adds its window).
        long bound = BufferBound(options, chunk);
        Assert.InRange(Interlocked.Read(ref accepted), 0, bound);
        stop.Cancel();
        await writer.WaitAsync(Timeout);
        Assert.InRange(Interlocked.Read(ref accepted), 0, bound);
        a.Abort(new IOException("done"));
    }

    /// <summary>The most bytes the pipeline may hold between a writer and a reader that never reads.</summary>
    internal virtual long BufferBound(SecureChannelOptions options, int chunk) =>
        (options.OutputCapacity + 1) * (long)chunk + (options.InputCapacity + 1) * 64L * 1024 + options.MaxFlushBytes + 4L * 1024 * 1024;

    internal static async Task SendAllAsync(ISecureChannel channel, byte[] payload, int seed)
    {
        var random = new Random(seed);
        int offset = 0;
        while (offset < payload.Length)
        {
            int size = Math.Min(payload.Length - offset, random.Next(1, 70_000));
            var buffer = PooledBuffer.CopyOf(payload.AsSpan(offset, size));
            Assert.True(await channel.Output.SendAsync(buffer));
            offset += size;
        }
    }

    internal static async Task<byte[]> ReadAllAsync(ISecureChannel channel, int length)
    {
        var result = new byte[length];
        int offset = 0;
        while (offset < length)
        {
            var chunk = await channel.Input.ReceiveAsync(Timeout);
            Assert.True(offset + chunk.Length <= length, "received more than was sent");
            chunk.Span.CopyTo(result.AsSpan(offset));
            offset += chunk.Length;
            chunk.Return();
        }

        return result;
    }

    internal static async Task<byte[]> ReadToEndAsync(ISecureChannel channel)
    {
        var result = new MemoryStream();
        while (await channel.Input.OutputAvailableAsync())
        {
            while (channel.Input is IReceivableSourceBlock<PooledBuffer> source && source.TryReceive(out var chunk))
            {
                result.Write(chunk.Span);
                chunk.Return();
            }
        }

        return result.ToArray();
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : e;
}
