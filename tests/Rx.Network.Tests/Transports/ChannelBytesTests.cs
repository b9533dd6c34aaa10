using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Transports;

public class ChannelBytesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Read_TakesNoMoreThanAsked_AndDetachKeepsTheRest()
    {
        var (a, b) = InMemoryDuplexChannel.CreatePair();
        await a.Output.SendAsync(PooledBuffer.CopyOf([1, 2, 3, 4, 5]));
        await a.Output.SendAsync(PooledBuffer.CopyOf([6, 7]));

        var bytes = new ChannelBytes(b);
        var two = new byte[2];
        await new DuplexStream(bytes).ReadExactlyAsync(two).AsTask().WaitAsync(Timeout);
        Assert.Equal([1, 2], two);

        var rest = bytes.Detach();
        Assert.Equal([3, 4, 5], await ReceiveAsync(rest));
        Assert.Equal([6, 7], await ReceiveAsync(rest));

        a.Output.Complete();
        await rest.Input.Completion.WaitAsync(Timeout);
        Assert.Throws<ObjectDisposedException>(() => bytes.Detach());
    }

    [Fact]
    public async Task Detach_WithNothingBuffered_ReturnsTheSameChannel()
    {
        var (_, b) = InMemoryDuplexChannel.CreatePair();
        var bytes = new ChannelBytes(b);
        Assert.Same(b, bytes.Detach());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await bytes.ReadAsync(new byte[1]));
    }

    [Fact]
    public async Task Write_PostsACopy_AndReadReturnsZeroAtEnd()
    {
        var (a, b) = InMemoryDuplexChannel.CreatePair();
        var stream = new DuplexStream(new ChannelBytes(a));
        var data = new byte[] { 9, 8, 7 };
        await stream.WriteAsync(data);
        data[0] = 0;
        Assert.Equal([9, 8, 7], await ReceiveAsync(b));

        b.Output.Complete();
        Assert.Equal(0, await stream.ReadAsync(new byte[4]).AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Read_FaultedChannel_Throws()
    {
        var (a, b) = InMemoryDuplexChannel.CreatePair();
        var stream = new DuplexStream(new ChannelBytes(b));
        b.Abort(new IOException("boom"));
        await Assert.ThrowsAnyAsync<Exception>(async () => await stream.ReadAsync(new byte[4]).AsTask().WaitAsync(Timeout));
        GC.KeepAlive(a);
    }

    private static async Task<byte[]> ReceiveAsync(IDuplexChannel channel)
    {
        var chunk = await channel.Input.ReceiveAsync(Timeout);
        var bytes = chunk.Span.ToArray();
        chunk.Return();
        return bytes;
    }
}
