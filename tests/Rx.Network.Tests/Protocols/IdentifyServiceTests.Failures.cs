using Microsoft.Extensions.Time.Testing;
using Rx.Network.Encoding;
using Rx.Network.Protocols;
using static Rx.Network.Tests.Protocols.IdentifyTestKit;

namespace Rx.Network.Tests.Protocols;

public partial class IdentifyServiceTests
{
    private static readonly IdentifyOptions OnRequest = new() { IdentifyNewConnections = false };

    /// <summary>
    /// A network (a) that identifies only on request, connected to a peer (b) without identify whose
    /// <c>/ipfs/id/1.0.0</c> handler is <paramref name="handler"/>.
    /// </summary>
    private static async Task<(INetwork A, INetwork B, IConnection Connection)> FakePeerAsync(Func<IStream, Task> handler, TimeProvider? time = null)
    {
        var a = await StartAsync(builder =>
        {
            builder.WithIdentify(OnRequest);
            return time is null ? builder : builder.WithTimeProvider(time);
        });
        var b = await StartAsync(builder => builder.WithoutIdentify());
        b.SetStreamHandler(IdentifyService.ProtocolId, handler);
        return (a, b, await ConnectAsync(a, b));
    }

    [Fact]
    public async Task IdentifyAsync_KeyOfAnotherPeer_IsRejectedAndNothingStored()
    {
        var (a, b, connection) = await FakePeerAsync(Writes(Framed(Message(StrangerKey(), "liar/1.0", "/stolen/1.0.0"))));
        await using (a)
        await using (b)
        {
            var error = await Assert.ThrowsAsync<WireProtocolViolationException>(() => Service(a).IdentifyAsync(connection).WaitAsync(Wait));

            var mismatch = Assert.IsType<PeerIdMismatchException>(error.InnerException);
            Assert.Equal(b.LocalPeer, mismatch.Expected);
            var info = a.Peerstore.PeerInfo(b.LocalPeer)!;
            Assert.Null(info.AgentVersion);
            Assert.Empty(info.Protocols);
            Assert.Equal(b.Peerstore.PeerInfo(b.LocalPeer)!.PublicKey, info.PublicKey);
        }
    }

    [Fact]
    public async Task IdentifyAsync_WithoutKey_IsAcceptedFromTheAuthenticatedPeer()
    {
        var (a, b, connection) = await FakePeerAsync(Writes(Framed(Message(null, "keyless/1.0", "/a/1.0.0"))));
        await using (a)
        await using (b)
        {
            var result = await Service(a).IdentifyAsync(connection).WaitAsync(Wait);

            Assert.Null(result.PublicKey);
            Assert.Equal("keyless/1.0", a.Peerstore.PeerInfo(b.LocalPeer)!.AgentVersion);
        }
    }

    public static TheoryData<string, byte[]> Garbage => new()
    {
        { "not protobuf", [5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] },
        { "truncated", [100, 0x2A, 0x03, 0x61] },
        { "bad varint", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] },
        { "bad key", [4, 0x0A, 0x02, 0x08, 0x09] },
        { "nothing", [] },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task IdentifyAsync_Garbage_ThrowsProtocolViolation_AndTheConnectionLives(string name, byte[] bytes)
    {
        var (a, b, connection) = await FakePeerAsync(Writes(bytes));
        await using (a)
        await using (b)
        {
            var error = await Assert.ThrowsAsync<WireProtocolViolationException>(() => Service(a).IdentifyAsync(connection).WaitAsync(Wait));

            Assert.IsNotType<MessageTooLargeException>(error);
            Assert.True(await PingService.PingAsync(a, b.LocalPeer).WaitAsync(Wait) > TimeSpan.Zero, name);
        }
    }

    [Fact]
    public async Task IdentifyAsync_Oversized_ThrowsMessageTooLarge_BeforeReadingIt()
    {
        var prefix = new byte[Varint.MaxLength];
        int length = Varint.Write(prefix, 100_000);
        var (a, b, connection) = await FakePeerAsync(Writes(prefix[..length]));
        await using (a)
        await using (b)
        {
            var error = await Assert.ThrowsAsync<MessageTooLargeException>(() => Service(a).IdentifyAsync(connection).WaitAsync(Wait));

            Assert.Equal(100_000, error.DeclaredLength);
            Assert.Equal(IdentifyOptions.DefaultMaxMessageSize, error.Limit);
        }
    }

    [Fact]
    public async Task IdentifyAsync_GoodMessageThenGarbage_KeepsTheGoodOne()
    {
        // As js-libp2p: a failure after the first message ends the reading, not the identification.
        byte[] bytes = [.. Framed(Message(null, "first/1.0", "/a/1.0.0")), 7, 1, 2];
        var (a, b, connection) = await FakePeerAsync(Writes(bytes));
        await using (a)
        await using (b)
        {
            var result = await Service(a).IdentifyAsync(connection).WaitAsync(Wait);

            Assert.Equal("first/1.0", result.AgentVersion);
        }
    }

    [Fact]
    public async Task IdentifyAsync_SeveralMessages_AreMerged()
    {
        byte[] bytes = [.. Framed(Message(null, "first/1.0", "/a/1.0.0")), .. Framed(Message(null, "second/1.0", "/b/1.0.0"))];
        var (a, b, connection) = await FakePeerAsync(Writes(bytes));
        await using (a)
        await using (b)
        {
            var result = await Service(a).IdentifyAsync(connection).WaitAsync(Wait);

            Assert.Equal("second/1.0", result.AgentVersion);
            Assert.Equal(["/a/1.0.0", "/b/1.0.0"], a.Peerstore.PeerInfo(b.LocalPeer)!.Protocols.Order());
        }
    }

    [Fact]
    public async Task IdentifyAsync_SilentPeer_TimesOutOnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (a, b, connection) = await FakePeerAsync(
            async _ =>
            {
                asked.TrySetResult();
                await release.Task;
            },
            time);
        await using (a)
        await using (b)
        {
            var identifying = Service(a).IdentifyAsync(connection);
            await asked.Task.WaitAsync(Wait);

            time.Advance(OnRequest.Timeout);

            await Assert.ThrowsAsync<TimeoutException>(() => identifying.WaitAsync(Wait));
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task IdentifyAsync_PeerWithoutIdentify_ThrowsNegotiation_ThenRetries()
    {
        await using var a = await StartAsync(builder => builder.WithIdentify(OnRequest));
        await using var b = await StartAsync(builder => builder.WithoutIdentify());
        var connection = await ConnectAsync(a, b);

        await Assert.ThrowsAsync<NegotiationException>(() => Service(a).IdentifyAsync(connection).WaitAsync(Wait));
        using var late = new IdentifyService(b);
        var result = await Service(a).IdentifyAsync(connection).WaitAsync(Wait);

        Assert.Equal(b.LocalPeer, result.Peer);
    }

    [Fact]
    public async Task ServePush_Garbage_ResetsTheStream_AndTheConnectionLives()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        await ConnectAsync(a, b);
        var stream = await a.NewStreamAsync(b.LocalPeer, [IdentifyService.PushProtocolId]).WaitAsync(Wait);
        await using (stream)
        {
            await stream.WriteAsync(new byte[] { 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF });
            await stream.CloseWriteAsync();

            Assert.IsType<StreamResetException>(await DrainAsync(stream));
        }

        Assert.True(await PingService.PingAsync(a, b.LocalPeer).WaitAsync(Wait) > TimeSpan.Zero);
    }
}
