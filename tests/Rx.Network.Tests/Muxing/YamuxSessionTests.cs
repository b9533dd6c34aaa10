using System.Security.Cryptography;
using Rx.Network.Muxing;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Muxing;

public partial class YamuxSessionTests
{
    private static readonly TimeSpan Timeout = SessionPair.Timeout;

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        var (a, _) = InMemoryDuplexChannel.CreatePair();
        Assert.Throws<ArgumentNullException>(() => new YamuxSession(null!, isInitiator: true));
        var contradictory = new YamuxOptions { InitialStreamWindow = 1024 * 1024, MaxStreamWindow = 512 * 1024 };
        Assert.Throws<ArgumentException>(() => new YamuxSession(a, isInitiator: true, contradictory));
    }

    [Fact]
    public async Task Abort_NullReason_Throws()
    {
        await using var pair = new SessionPair();
        Assert.Throws<ArgumentNullException>(() => pair.Dialer.Abort(null!));
    }

    [Fact]
    public async Task OpenStreamAsync_AcceptAsync_ExchangeBytesBothWays()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        Assert.Equal(1u, opened.Id);
        Assert.Equal(opened.Id, accepted.Id);
        Assert.True(opened.IsOutbound);
        Assert.False(accepted.IsOutbound);

        await opened.WriteAsync("hello"u8.ToArray());
        Assert.Equal("hello"u8.ToArray(), await accepted.ReadExactlyAsync(5));
        await accepted.WriteAsync("world"u8.ToArray());
        Assert.Equal("world"u8.ToArray(), await opened.ReadExactlyAsync(5));
    }

    [Fact]
    public async Task OpenStreamAsync_IdsFollowParity()
    {
        await using var pair = new SessionPair();
        var dialerIds = new List<uint>();
        var listenerIds = new List<uint>();
        for (var i = 0; i < 3; i++)
        {
            dialerIds.Add((await pair.Dialer.OpenStreamAsync()).Id);
            listenerIds.Add((await pair.Listener.OpenStreamAsync()).Id);
        }

        Assert.Equal([1u, 3u, 5u], dialerIds);
        Assert.Equal([2u, 4u, 6u], listenerIds);
        for (var i = 0; i < 3; i++)
        {
            Assert.Contains((await pair.Listener.AcceptAsync().AsTask().WaitAsync(Timeout)).Id, dialerIds);
            Assert.Contains((await pair.Dialer.AcceptAsync().AsTask().WaitAsync(Timeout)).Id, listenerIds);
        }
    }

    [Fact]
    public async Task Streams_SeveralMegabytesBothWaysInRandomWrites_ArriveIntact()
    {
        await using var pair = new SessionPair();
        var (opened, accepted) = await pair.OpenAsync();
        var up = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var down = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 5);

        var sendUp = WriteInRandomPiecesAsync(opened, up, seed: 1);
        var sendDown = WriteInRandomPiecesAsync(accepted, down, seed: 2);
        var receivedUp = accepted.ReadToEndAsync(bufferSize: 3001);
        var receivedDown = opened.ReadToEndAsync(bufferSize: 65536);

        await Task.WhenAll(sendUp, sendDown).WaitAsync(Timeout);
        Assert.Equal(up, await receivedUp);
        Assert.Equal(down, await receivedDown);
    }

    [Fact]
    public async Task Streams_TwoHundredFiftyConcurrent_EachGetsItsOwnBytes()
    {
        await using var pair = new SessionPair();
        const int count = 250;
        var echo = Task.Run(async () =>
        {
            var handlers = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                var stream = await pair.Listener.AcceptAsync().AsTask().WaitAsync(Timeout);
                handlers.Add(Task.Run(async () =>
                {
                    var request = await stream.ReadToEndAsync();
                    await stream.WriteAsync(request.Reverse().ToArray());
                    await stream.DisposeAsync();
                }));
            }

            await Task.WhenAll(handlers);
        });

        var clients = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            var payload = new byte[1000 + (i * 97)];
            new Random(i).NextBytes(payload);
            var stream = await pair.Dialer.OpenStreamAsync().WaitAsync(Timeout);
            await stream.WriteAsync(payload);
            await stream.CloseWriteAsync();
            var reply = await stream.ReadToEndAsync();
            Assert.Equal(payload.Reverse().ToArray(), reply);
            await stream.DisposeAsync();
        })).ToArray();

        await Task.WhenAll(clients).WaitAsync(Timeout);
        await echo.WaitAsync(Timeout);
        Assert.Equal(0, pair.Dialer.StreamCount);
    }

    internal static async Task WriteInRandomPiecesAsync(YamuxStream stream, byte[] data, int seed)
    {
        var random = new Random(seed);
        var offset = 0;
        while (offset < data.Length)
        {
            var size = Math.Min(data.Length - offset, random.Next(1, 100_000));
            await stream.WriteAsync(data.AsMemory(offset, size));
            offset += size;
        }

        await stream.CloseWriteAsync();
    }
}
