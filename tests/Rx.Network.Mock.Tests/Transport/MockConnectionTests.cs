using System.Buffers;
using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Mock.Testing;
using Rx.Network.Mock.Transport;

namespace Rx.Network.Mock.Tests.Transport;

/// <summary>Raw mock connections, below any upgrade, on a link with a 100-tick latency.</summary>
public sealed class MockConnectionTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = MockKit.Patience;
    private readonly TestScheduler scheduler = new();
    private readonly MockNetwork net;
    private readonly PrivateKey keyA = PrivateKey.Generate();
    private readonly PrivateKey keyB = PrivateKey.Generate();
    private readonly MockLink link;

    public MockConnectionTests()
    {
        net = new MockNetwork(scheduler, new MockNetworkOptions { ConnectionBufferSize = 100 });
        link = new MockLink(net, new MockPeer(0, keyA, false), new MockPeer(1, keyB, false), new LinkOptions { Latency = TimeSpan.FromTicks(100) }, seed: 1);
    }

    [Fact]
    public async Task Output_FlushedBytesArriveAfterTheLatencyThenTheEnd()
    {
        var (a, b) = Pair();

        await a.Pipe.Output.WriteAsync("hello"u8.ToArray());
        a.Pipe.Output.Complete();
        scheduler.AdvanceTo(99);
        Assert.False(b.Pipe.Input.TryRead(out _));
        scheduler.AdvanceTo(100);

        var result = await b.Pipe.Input.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal("hello"u8.ToArray(), result.Buffer.ToArray());
        Assert.True(result.IsCompleted);
        b.Pipe.Input.AdvanceTo(result.Buffer.End);
    }

    [Fact]
    public async Task Abort_ResetsTheRemoteWhenTheResetArrives()
    {
        var (a, b) = Pair();

        a.Abort();
        a.Abort();

        await Assert.ThrowsAsync<IOException>(() => a.Pipe.Input.ReadAsync().AsTask());
        Assert.False(b.Pipe.Input.TryRead(out _));
        scheduler.AdvanceTo(100);
        var reset = await Assert.ThrowsAsync<TransportException>(() => b.Pipe.Input.ReadAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(SocketError.ConnectionReset, reset.SocketError);
        await Assert.ThrowsAnyAsync<IOException>(() => b.Pipe.Output.WriteAsync(new byte[1]).AsTask());
        Assert.True(a.IsClosed);
        Assert.Equal(1, link.ConnectionEndCount);
        await b.DisposeAsync();
        Assert.Equal(0, link.ConnectionEndCount);
    }

    [Fact]
    public async Task Output_FlushWaitsWhileTheRemoteHasTooMuchUnread()
    {
        var (a, b) = Pair();

        var flush = a.Pipe.Output.WriteAsync(new byte[150]).AsTask();
        Assert.False(flush.IsCompleted);
        Assert.Equal(150, b.Credit.Outstanding);
        scheduler.AdvanceTo(100);
        var read = await b.Pipe.Input.ReadAsync().AsTask().WaitAsync(Patience);
        b.Pipe.Input.AdvanceTo(read.Buffer.GetPosition(60));

        await flush.WaitAsync(Patience);
        Assert.Equal(90, b.Credit.Outstanding);
    }

    [Fact]
    public async Task Input_CompletingItUnblocksTheSender()
    {
        var (a, b) = Pair();

        var flush = a.Pipe.Output.WriteAsync(new byte[150]).AsTask();
        b.Pipe.Input.Complete();

        await flush.WaitAsync(Patience);
        scheduler.AdvanceTo(1000);
        Assert.Equal(0, b.Credit.Outstanding);
    }

    [Fact]
    public async Task Remove_FailsBothEndsAtOnce()
    {
        var (a, b) = Pair();
        var flush = a.Pipe.Output.WriteAsync(new byte[150]).AsTask();

        link.Remove();

        foreach (var end in new[] { a, b })
        {
            var error = await Assert.ThrowsAsync<TransportException>(() => end.Pipe.Input.ReadAsync().AsTask().WaitAsync(Patience));
            Assert.Equal(SocketError.ConnectionReset, error.SocketError);
            Assert.True(end.IsClosed);
        }

        await Assert.ThrowsAsync<TransportException>(() => flush.WaitAsync(Patience));
        scheduler.AdvanceTo(1000);
        Assert.Equal(0, link.ConnectionEndCount);
    }

    [Fact]
    public async Task DisposeAsync_DeliversWhatWasFlushedThenTheEnd()
    {
        var (a, b) = Pair();

        await a.Pipe.Output.WriteAsync("bye"u8.ToArray());
        await a.DisposeAsync();
        scheduler.AdvanceTo(100);

        var result = await b.Pipe.Input.ReadAtLeastAsync(3).AsTask().WaitAsync(Patience);
        Assert.Equal("bye"u8.ToArray(), result.Buffer.ToArray());
        Assert.True(result.IsCompleted);
        Assert.True(a.IsClosed);
    }

    [Fact]
    public async Task Output_ArgumentsAndCompletionAreChecked()
    {
        var (a, _) = Pair();
        var output = a.Pipe.Output;

        Assert.True(output.CanGetUnflushedBytes);
        output.GetSpan(10)[..4].Fill(1);
        output.Advance(4);
        Assert.Equal(4, output.UnflushedBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => output.Advance(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => output.GetMemory(-1));
        output.CancelPendingFlush();
        Assert.True((await output.FlushAsync()).IsCanceled);
        output.Complete();
        output.Complete();
        Assert.Throws<ObjectDisposedException>(() => output.GetSpan());
    }

    public async ValueTask DisposeAsync()
    {
        link.Remove();
        await net.DisposeAsync();
        keyA.Dispose();
        keyB.Dispose();
    }

    private (MockConnection A, MockConnection B) Pair() => link.Open(0, Multiaddr.Parse("/memory/a"), Multiaddr.Parse("/memory/b"));
}
