using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Identity;

namespace Rx.Network.Tests.Swarm;

public partial class SwarmNetworkTests
{
    [Fact]
    public async Task SetStreamHandler_ReplacesTheEarlierOne_AndDisposingRemovesOnlyItsOwn()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        var first = b.SetStreamHandler("/test/which", s => ReplyAsync(s, "first"));
        var second = b.SetStreamHandler("/test/which", s => ReplyAsync(s, "second"));
        var connection = await SwarmKit.ConnectAsync(a, b);
        Assert.Equal("second", await AskAsync(connection, "/test/which"));

        // The replaced registration no longer owns the protocol.
        first.Dispose();
        Assert.Equal("second", await AskAsync(connection, "/test/which"));

        second.Dispose();
        second.Dispose();
        await Assert.ThrowsAsync<NegotiationException>(() => connection.NewStreamAsync(["/test/which"]).WaitAsync(Wait));
    }

    [Fact]
    public async Task NewStreamAsync_UnservedProtocol_ThrowsNegotiationException_ConnectionStaysUsable()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        b.SetStreamHandler(Echo, EchoAsync);
        SwarmKit.Introduce(a, b);

        var failure = await Assert.ThrowsAsync<NegotiationException>(() => a.NewStreamAsync(b.LocalPeer, ["/test/nobody", "/test/nobody/2"]).WaitAsync(Wait));
        Assert.Equal(["/test/nobody", "/test/nobody/2"], failure.ProtocolsTried);
        var connection = Assert.Single(a.Connections);
        await EchoOnceAsync(connection);

        // The first protocol the remote serves wins.
        var stream = await a.NewStreamAsync(b.LocalPeer, ["/test/nobody", Echo]).WaitAsync(Wait);
        Assert.Equal(Echo, stream.Protocol);
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task NewStreamAsync_DialsWhenNeeded()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        b.SetStreamHandler(Echo, EchoAsync);
        SwarmKit.Introduce(a, b);
        Assert.Empty(a.Connections);

        var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]).WaitAsync(Wait);
        await using (stream)
        {
            Assert.Equal(Direction.Outbound, stream.Direction);
            Assert.Same(Assert.Single(a.Connections), stream.Connection);
            Assert.Equal(b.LocalPeer, stream.Connection.RemotePeer);
        }
    }

    [Fact]
    public async Task Handler_Throws_OpenerSeesReset()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        b.SetStreamHandler("/test/faulty", async s =>
        {
            await s.ReadAsync(new byte[1]);
            throw new InvalidOperationException("handler bug");
        });
        SwarmKit.Introduce(a, b);

        var stream = await a.NewStreamAsync(b.LocalPeer, ["/test/faulty"]).WaitAsync(Wait);
        await stream.WriteAsync(new byte[] { 1 });
        var reset = await Assert.ThrowsAsync<StreamResetException>(async () => await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(Wait));
        Assert.True(reset.Remote);
        await Assert.ThrowsAsync<StreamResetException>(() => stream.Completion.WaitAsync(Wait));

        // Only that stream suffered.
        b.SetStreamHandler(Echo, EchoAsync);
        await EchoOnceAsync(stream.Connection);
    }

    [Fact]
    public async Task Handler_Returns_StreamIsClosedForTheOpener()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        b.SetStreamHandler("/test/hello", s => s.WriteAsync("hi"u8.ToArray()).AsTask());
        SwarmKit.Introduce(a, b);

        var stream = await a.NewStreamAsync(b.LocalPeer, ["/test/hello"]).WaitAsync(Wait);
        await using (stream)
        {
            Assert.Equal("hi"u8.ToArray(), await ReadToEndAsync(stream));
        }
    }

    [Fact]
    public async Task Streams_ObservableServesTheProtocolWhileSubscribed()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        var connection = await SwarmKit.ConnectAsync(a, b);

        // Rx LINQ over incoming streams: each request is recorded, then answered in upper case.
        var served = new List<string>();
        var subscription = b.Streams("/test/upper")
            .Where(stream => stream.Direction == Direction.Inbound && stream.Connection.RemotePeer == a.LocalPeer)
            .SelectMany(async stream =>
            {
                await using (stream)
                {
                    var text = System.Text.Encoding.UTF8.GetString(await ReadToEndAsync(stream));
                    lock (served)
                    {
                        served.Add(text);
                    }

                    await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text.ToUpperInvariant()));
                    return text;
                }
            })
            .Subscribe();

        string[] words = ["alpha", "beta", "gamma"];
        var answers = await Task.WhenAll(words.Select(w => AskAsync(connection, "/test/upper", w)));
        Assert.Equal(["ALPHA", "BETA", "GAMMA"], answers);
        lock (served)
        {
            Assert.Equal(words.Order(), served.Order());
        }

        subscription.Dispose();
        await Assert.ThrowsAsync<NegotiationException>(() => connection.NewStreamAsync(["/test/upper"]).WaitAsync(Wait));
    }

    [Fact]
    public async Task Streams_SubscriberThrows_OpenerSeesReset_NetworkGoesOn()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        b.SetStreamHandler(Echo, EchoAsync);
        using var faulty = b.Streams("/test/faulty").Subscribe(_ => throw new InvalidOperationException("subscriber bug"));
        var connection = await SwarmKit.ConnectAsync(a, b);

        // The reset may overtake the negotiation's answer (a reset drops unread bytes).
        await Assert.ThrowsAsync<StreamResetException>(async () =>
        {
            var stream = await connection.NewStreamAsync(["/test/faulty"]).WaitAsync(Wait);
            await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(Wait);
        });
        await EchoOnceAsync(connection);
    }

    [Fact]
    public async Task IncomingStreams_OfTheConnection_SeesNegotiatedInboundStreams()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        b.SetStreamHandler(Echo, EchoAsync);
        var inbound = b.NewConnections.FirstAsync().ToTask();
        var connection = await SwarmKit.ConnectAsync(a, b);
        var remote = await inbound.WaitAsync(Wait);

        var seen = remote.IncomingStreams.Where(s => s.Protocol == Echo).FirstAsync().ToTask();
        await EchoOnceAsync(connection);
        var stream = await seen.WaitAsync(Wait);
        Assert.Same(remote, stream.Connection);
        Assert.Equal(Direction.Inbound, stream.Direction);

        // An observer that throws loses its subscription, not the stream its handler.
        using var faulty = remote.IncomingStreams.Subscribe(_ => throw new InvalidOperationException("observer bug"));
        await EchoOnceAsync(connection);

        // The sequence completes with the connection.
        var ended = remote.IncomingStreams.LastOrDefaultAsync().ToTask();
        await a.ClosePeerAsync(b.LocalPeer).WaitAsync(Wait);
        await ended.WaitAsync(Wait);
    }

    [Fact]
    public async Task PublicMembers_InvalidArguments_Throw()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        var peer = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);
        Assert.Throws<ArgumentNullException>(() => a.SetStreamHandler(null!, _ => Task.CompletedTask));
        Assert.Throws<ArgumentException>(() => a.SetStreamHandler("", _ => Task.CompletedTask));
        Assert.Throws<ArgumentException>(() => a.SetStreamHandler("/a\n/b", _ => Task.CompletedTask));
        Assert.Throws<ArgumentException>(() => a.SetStreamHandler(new string('x', 1001), _ => Task.CompletedTask));
        Assert.Throws<ArgumentNullException>(() => a.SetStreamHandler("/test", (Func<IStream, Task>)null!));
        Assert.Throws<ArgumentNullException>(() => a.SetStreamHandler("/test", (Func<IStream, CancellationToken, Task>)null!));
        Assert.Throws<ArgumentException>(() => a.Streams(""));
        Assert.Throws<ArgumentNullException>(() => a.Notify(null!));
        Assert.Throws<ArgumentNullException>(() => a.Connectedness(null!));
        Assert.Throws<ArgumentNullException>(() => a.ConnectionsToPeer(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => a.ClosePeerAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => a.NewStreamAsync(null!, [Echo]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => a.NewStreamAsync(peer, null!));
        await Assert.ThrowsAsync<ArgumentException>(() => a.NewStreamAsync(peer, []));
        await Assert.ThrowsAsync<ArgumentNullException>(() => a.ListenAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => a.ListenAsync([Rx.Network.Addressing.Multiaddr.Parse("/ip4/127.0.0.1/udp/0")]));
    }

    [Fact]
    public async Task ConnectionNewStreamAsync_InvalidArguments_Throw()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        var connection = await SwarmKit.ConnectAsync(a, b);
        await Assert.ThrowsAsync<ArgumentNullException>(() => connection.NewStreamAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => connection.NewStreamAsync([]));
        await Assert.ThrowsAsync<ArgumentException>(() => connection.NewStreamAsync([""]));
    }

    private static async Task ReplyAsync(IStream stream, string text)
    {
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text));
        await stream.CloseWriteAsync();
    }

    /// <summary>Opens a stream, sends <paramref name="request"/>, half-closes and returns the whole answer.</summary>
    private static async Task<string> AskAsync(IConnection connection, string protocol, string request = "")
    {
        var stream = await connection.NewStreamAsync([protocol]).WaitAsync(Wait);
        await using (stream)
        {
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(request));
            await stream.CloseWriteAsync();
            return System.Text.Encoding.UTF8.GetString(await ReadToEndAsync(stream));
        }
    }
}
