using static System.Text.Encoding;
using Rx.Network.Mock.Testing;

namespace Rx.Network.Mock.Tests;

/// <summary>The example of src/Rx.Network.Mock/README.md, kept compiling and passing.</summary>
public sealed class ReadmeExampleTests
{
    private const string Protocol = "/example/upper/1.0.0";

    [Fact]
    public async Task Request_GetsItsReplyAfterExactlyOneRoundTrip()
    {
        var scheduler = new TestScheduler();
        await using var net = new MockNetwork(scheduler, seed: 1);
        var client = net.GenPeer();
        var server = net.GenPeer();
        net.LinkPeers(client.LocalPeer, server.LocalPeer, new LinkOptions { Latency = TimeSpan.FromMilliseconds(40) });

        // The service: read the request to its end, answer in upper case.
        using var registration = server.SetStreamHandler(Protocol, async stream =>
        {
            string request = UTF8.GetString(await ReadToEndAsync(stream));
            await stream.WriteAsync(UTF8.GetBytes(request.ToUpperInvariant()));
            await stream.CloseWriteAsync();
        });

        // Connecting and opening a stream take round trips: these calls move virtual time as needed.
        await net.ConnectPeersAsync(client.LocalPeer, server.LocalPeer);
        var stream = await net.RunAsync(() => client.NewStreamAsync(server.LocalPeer, [Protocol]));

        // The client runs on the thread pool, where the mock network sees when it is idle.
        var sent = net.Now;
        var reply = Task.Run(async () =>
        {
            await stream.WriteAsync("hello"u8.ToArray());
            await stream.CloseWriteAsync();
            return UTF8.GetString(await ReadToEndAsync(stream));
        });

        // A round trip is 80 ms of virtual time: one tick before, there is no reply.
        await net.AdvanceToAsync(sent + TimeSpan.FromMilliseconds(80) - TimeSpan.FromTicks(1));
        Assert.False(reply.IsCompleted);

        await net.AdvanceToAsync(sent + TimeSpan.FromMilliseconds(80));
        Assert.Equal("HELLO", await reply.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task<byte[]> ReadToEndAsync(IStream stream)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        while (await stream.ReadAsync(chunk) is var n and > 0)
        {
            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }
}
