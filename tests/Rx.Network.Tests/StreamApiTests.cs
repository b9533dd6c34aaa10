using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Text = System.Text;
using Rx.Network.Addressing;
using Rx.Network.Peerstore;

namespace Rx.Network.Tests;

/// <summary>The IStream surface over a real TCP + Noise + yamux connection: reads, Incoming, AsStream, Completion.</summary>
public sealed class StreamApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private INetwork server = null!;
    private INetwork client = null!;

    public async Task InitializeAsync()
    {
        server = await new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync();
        client = await new NetworkBuilder().StartAsync();
        client.Peerstore.AddAddresses(server.LocalPeer, server.ListenAddresses, AddressTtl.Temporary);
        server.SetStreamHandler("/echo", async stream =>
        {
            var buffer = new byte[4096];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read));
            }

            await stream.CloseWriteAsync();
        });
        server.SetStreamHandler("/greet", async stream =>
        {
            await stream.WriteAsync(Text.Encoding.UTF8.GetBytes("hello"));
            await stream.CloseWriteAsync();
            while (await stream.ReadAsync(new byte[16]) > 0)
            {
            }
        });
    }

    public async Task DisposeAsync()
    {
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Incoming_CompletesOnRemoteHalfClose_AndComposesWithLinq()
    {
        var stream = await client.NewStreamAsync(server.LocalPeer, ["/greet"]).WaitAsync(Timeout);

        var text = await stream.Incoming
            .Select(chunk => Text.Encoding.UTF8.GetString(chunk.Span))
            .Aggregate(string.Empty, (all, part) => all + part)
            .ToTask()
            .WaitAsync(Timeout);

        Assert.Equal("hello", text);
        Assert.Equal("/greet", stream.Protocol);
        Assert.Equal(Direction.Outbound, stream.Direction);
        Assert.Equal(server.LocalPeer, stream.Connection.RemotePeer);
        await stream.CloseWriteAsync();
        await stream.Completion.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Incoming_ErrorsWithStreamReset_WhenTheRemoteResets()
    {
        server.SetStreamHandler("/reset", async stream =>
        {
            await stream.ReadAsync(new byte[1]);
            stream.Reset();
        });
        var stream = await client.NewStreamAsync(server.LocalPeer, ["/reset"]).WaitAsync(Timeout);
        await stream.WriteAsync(new byte[] { 1 });

        var error = await Assert.ThrowsAsync<StreamResetException>(() => stream.Incoming.ToTask().WaitAsync(Timeout));

        Assert.True(error.Remote);
        await Assert.ThrowsAsync<StreamResetException>(() => stream.Completion.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Incoming_SecondConcurrentSubscriber_GetsAnError()
    {
        var stream = await client.NewStreamAsync(server.LocalPeer, ["/echo"]).WaitAsync(Timeout);
        using var first = stream.Incoming.Subscribe(_ => { });
        await Assert.ThrowsAsync<InvalidOperationException>(() => stream.Incoming.ToTask().WaitAsync(Timeout));
        stream.Reset();
    }

    [Fact]
    public async Task AsStream_WorksWithStreamReaderAndWriter()
    {
        var stream = await client.NewStreamAsync(server.LocalPeer, ["/echo"]).WaitAsync(Timeout);
        await using var adapter = stream.AsStream();
        await using (var writer = new StreamWriter(adapter, leaveOpen: true) { AutoFlush = true })
        {
            await writer.WriteLineAsync("line one");
            await writer.WriteLineAsync("line two");
        }

        await stream.CloseWriteAsync();
        using var reader = new StreamReader(adapter, leaveOpen: true);
        Assert.Equal("line one\nline two\n", await reader.ReadToEndAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task AsPipe_HandlerReturnsRightAfterWriting_EveryByteArrivesBeforeTheFin()
    {
        var data = new byte[300_000];
        Random.Shared.NextBytes(data);
        server.SetStreamHandler("/pipe-out", async (stream, shutdown) =>
        {
            var pipe = stream.AsPipe();
            await pipe.Output.WriteAsync(data, shutdown);

            // Returning disposes the stream while the pipe may still be sending: nothing is lost.
        });

        var stream = await client.NewStreamAsync(server.LocalPeer, ["/pipe-out"]).WaitAsync(Timeout);
        await using var adapter = stream.AsStream();
        var received = new MemoryStream();
        await adapter.CopyToAsync(received).WaitAsync(Timeout);
        Assert.Equal(data, received.ToArray());
    }

    [Fact]
    public async Task AsPipe_ReadsAndWritesWithSystemIoPipelines()
    {
        var stream = await client.NewStreamAsync(server.LocalPeer, ["/echo"]).WaitAsync(Timeout);
        var pipe = stream.AsPipe();
        await pipe.Output.WriteAsync(Text.Encoding.UTF8.GetBytes("piped"));
        await pipe.Output.CompleteAsync();

        var echoed = new MemoryStream();
        while (true)
        {
            var result = await pipe.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            foreach (var segment in result.Buffer)
            {
                echoed.Write(segment.Span);
            }

            pipe.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await pipe.Input.CompleteAsync();
        Assert.Equal("piped", Text.Encoding.UTF8.GetString(echoed.ToArray()));
        await stream.Completion.WaitAsync(Timeout);
    }

    [Fact]
    public async Task WriteAfterCloseWrite_Throws_ButReadingContinues()
    {
        var stream = await client.NewStreamAsync(server.LocalPeer, ["/echo"]).WaitAsync(Timeout);
        await stream.WriteAsync(new byte[] { 7, 8 });
        await stream.CloseWriteAsync();

        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await stream.WriteAsync(new byte[] { 9 }));
        var buffer = new byte[4];
        int total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(total)).AsTask().WaitAsync(Timeout)) > 0)
        {
            total += read;
        }

        Assert.Equal(2, total);
        Assert.Equal([7, 8], buffer[..2]);
    }

    [Fact]
    public async Task NewStreamAsync_ArgumentsAreChecked()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.NewStreamAsync(null!, ["/echo"]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.NewStreamAsync(server.LocalPeer, []));
        var connection = await client.DialPeerAsync(server.LocalPeer).WaitAsync(Timeout);
        await Assert.ThrowsAsync<ArgumentException>(() => connection.NewStreamAsync([""]));
        Assert.Equal("/noise", connection.Security);
        Assert.Equal("/yamux/1.0.0", connection.Muxer);
        Assert.Equal(Multiaddr.Parse(connection.RemoteAddress.ToString()), connection.RemoteAddress);
    }
}
