using System.IO.Pipelines;
using Rx.Network.Transports;
using static Rx.Network.Tests.Transports.TcpTestKit;

namespace Rx.Network.Tests.Transports;

public sealed class TcpConnectionTests : IAsyncLifetime
{
    private readonly TcpTransport transport = new();
    private IRawListener listener = null!;

    public async Task InitializeAsync() => listener = await transport.ListenAsync(Any4);

    public async Task DisposeAsync() => await listener.DisposeAsync();

    [Fact]
    public async Task CompleteOutput_HalfCloses_RemoteSeesEndAndCanStillReply()
    {
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (dialed)
        await using (accepted)
        {
            await WriteAsync(dialed, [1, 2, 3]);
            await dialed.Pipe.Output.CompleteAsync();

            Assert.Equal([1, 2, 3], await ReadToEndAsync(accepted.Pipe.Input));

            // Our side is shut for sending only: the remote's answer still arrives.
            await WriteAsync(accepted, [9, 8]);
            Assert.Equal([9, 8], await ReadExactlyAsync(dialed.Pipe.Input, 2));
            await accepted.Pipe.Output.CompleteAsync();
            Assert.Empty(await ReadToEndAsync(dialed.Pipe.Input));
        }
    }

    [Fact]
    public async Task OutputCompletedWithError_ResetsTheConnection_AndReleasesTheSocket()
    {
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (accepted)
        {
            // The layer above failed mid-stream: the remote must see a failure, not a clean end.
            await dialed.Pipe.Output.CompleteAsync(new InvalidOperationException("the layer above failed"));
            await Assert.ThrowsAnyAsync<IOException>(() => ReadToEndAsync(accepted.Pipe.Input));
            await dialed.DisposeAsync().AsTask().WaitAsync(Wait);
            Assert.Throws<ObjectDisposedException>(() => ((TcpConnection)dialed).Socket.Available);
        }
    }

    [Fact]
    public async Task RemoteAborts_ReaderFailsWithIOException()
    {
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (accepted)
        {
            await WriteAsync(dialed, [1]);
            Assert.Equal([1], await ReadExactlyAsync(accepted.Pipe.Input, 1));

            dialed.Abort();
            await Assert.ThrowsAnyAsync<IOException>(() => ReadToEndAsync(accepted.Pipe.Input));

            // The aborted side fails too, on both directions.
            await Assert.ThrowsAnyAsync<IOException>(async () => await dialed.Pipe.Input.ReadAsync().AsTask().WaitAsync(Wait));

            // Once the send pump has noticed the abort, writing fails (or reports the pipe completed).
            await ((TcpConnection)dialed).SendPump.WaitAsync(Wait);
            await Assert.ThrowsAnyAsync<IOException>(async () =>
            {
                var flush = await dialed.Pipe.Output.WriteAsync(new byte[] { 1 }).AsTask().WaitAsync(Wait);
                Assert.False(flush.IsCanceled);
                if (flush.IsCompleted)
                {
                    throw new IOException("completed");
                }
            });

            dialed.Abort(); // idempotent
            await dialed.DisposeAsync();
        }
    }

    [Fact]
    public async Task DisposeAsync_SendsWhatWasWrittenThenCloses()
    {
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (accepted)
        {
            var payload = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
            var reading = ReadToEndAsync(accepted.Pipe.Input);
            await dialed.Pipe.Output.WriteAsync(payload);
            await dialed.DisposeAsync().AsTask().WaitAsync(Wait);

            Assert.Equal(payload, await reading);
            await dialed.DisposeAsync(); // idempotent
        }
    }

    [Fact]
    public async Task DisposeAsync_WhileInputIsFullAndUnread_Completes()
    {
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (accepted)
        {
            // The remote sends far more than the 1 MiB input bound plus kernel buffers; we never read.
            var flooding = SendInChunksThenCompleteAsync(accepted.Pipe.Output, new byte[16_000_000]);
            await ReadExactlyAsync(dialed.Pipe.Input, 1); // something arrived: the pump is running
            await dialed.DisposeAsync().AsTask().WaitAsync(Wait);

            // Closing with unread data resets the connection: the flooding side fails, typed.
            await Assert.ThrowsAnyAsync<IOException>(() => flooding.WaitAsync(Wait));
        }
    }

    [Fact]
    public async Task LargeTransfers_BothWaysAtOnce_ArriveIntact()
    {
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (dialed)
        await using (accepted)
        {
            var up = Enumerable.Range(0, 3_000_000).Select(i => (byte)(i % 251)).ToArray();
            var down = Enumerable.Range(0, 2_000_000).Select(i => (byte)(i % 241)).ToArray();

            var sendingUp = SendInChunksThenCompleteAsync(dialed.Pipe.Output, up);
            var sendingDown = SendInChunksThenCompleteAsync(accepted.Pipe.Output, down);
            var receivedUp = ReadToEndAsync(accepted.Pipe.Input);
            var receivedDown = ReadToEndAsync(dialed.Pipe.Input);

            await Task.WhenAll(sendingUp, sendingDown).WaitAsync(Wait);
            Assert.Equal(up, await receivedUp);
            Assert.Equal(down, await receivedDown);
        }
    }

    [Fact]
    public async Task OneFlushOfManySegments_IsSentWhole()
    {
        var (dialed, accepted) = await ConnectAsync(transport, listener);
        await using (dialed)
        await using (accepted)
        {
            // Written without flushing, then flushed once: the send pump finds a buffer of several
            // 64 KiB segments and sends it with one gathering send.
            var data = Enumerable.Range(0, 700_000).Select(i => (byte)(i % 253)).ToArray();
            var receiving = ReadToEndAsync(accepted.Pipe.Input);
            var writer = dialed.Pipe.Output;
            for (int offset = 0; offset < data.Length; offset += 30_000)
            {
                var piece = data.AsSpan(offset, Math.Min(30_000, data.Length - offset));
                piece.CopyTo(writer.GetSpan(piece.Length));
                writer.Advance(piece.Length);
            }

            await writer.FlushAsync().AsTask().WaitAsync(Wait);
            await writer.CompleteAsync();
            Assert.Equal(data, await receiving.WaitAsync(Wait));
        }
    }

    [Fact]
    public async Task SmallBuffers_StillCarryEverything()
    {
        var small = new TcpTransport(new TcpTransportOptions
        {
            MaxReceiveBufferSize = TcpTransportOptions.MinBufferSize,
            MaxSendBufferSize = TcpTransportOptions.MinBufferSize,
        });
        await using var smallListener = await small.ListenAsync(Any4);
        var (dialed, accepted) = await ConnectAsync(small, smallListener);
        await using (dialed)
        await using (accepted)
        {
            var data = Enumerable.Range(0, 1_000_000).Select(i => (byte)i).ToArray();
            var receiving = ReadToEndAsync(accepted.Pipe.Input);
            await SendInChunksThenCompleteAsync(dialed.Pipe.Output, data).WaitAsync(Wait);
            Assert.Equal(data, await receiving);
        }
    }

    private static async Task SendInChunksThenCompleteAsync(PipeWriter writer, byte[] data)
    {
        for (int offset = 0; offset < data.Length; offset += 50_000)
        {
            await writer.WriteAsync(data.AsMemory(offset, Math.Min(50_000, data.Length - offset)));
        }

        await writer.CompleteAsync();
    }
}
