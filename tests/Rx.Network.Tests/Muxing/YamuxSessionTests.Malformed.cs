using CsCheck;
using Rx.Network.Muxing;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Muxing;

public partial class YamuxSessionTests
{
    public static TheoryData<string, byte[]> ProtocolViolations => new()
    {
        { "unknown version", Bytes(w => w[0] = 1) },
        { "unknown type", Bytes(w => w[1] = 4) },
        { "data on stream 0", Frame(YamuxHeader.Data(0, 0)) },
        { "window update on stream 0", Frame(YamuxHeader.WindowUpdate(0, 5)) },
        { "ping on a stream", Frame(new YamuxHeader(YamuxFrameType.Ping, YamuxFlags.Syn, 2, 1)) },
        { "GoAway on a stream", Frame(new YamuxHeader(YamuxFrameType.GoAway, YamuxFlags.None, 2, 0)) },
        { "SYN with our parity", Frame(YamuxHeader.WindowUpdate(1, 0, YamuxFlags.Syn)) },
        { "SYN of an open stream", [.. Frame(YamuxHeader.WindowUpdate(2, 0, YamuxFlags.Syn)), .. Frame(YamuxHeader.WindowUpdate(2, 0, YamuxFlags.Syn))] },
        { "data beyond the window", [.. Frame(YamuxHeader.WindowUpdate(2, 0, YamuxFlags.Syn)), .. Frame(YamuxHeader.Data(2, YamuxHeader.InitialWindow + 1)), .. new byte[YamuxHeader.InitialWindow + 1]] },
    };

    [Theory]
    [MemberData(nameof(ProtocolViolations))]
    public async Task Input_ProtocolViolation_EndsSessionWithGoAwayProtocolError(string what, byte[] bytes)
    {
        // The session dials (odd ids), so the raw peer listens and must open even ids.
        var (session, peer) = RawPeer.Create(sessionIsInitiator: true);
        var stream = await session.OpenStreamAsync();
        await peer.SendBytesAsync(bytes);
        peer.CompleteOutput();

        var e = await Assert.ThrowsAsync<WireProtocolViolationException>(() => session.Completion.WaitAsync(Timeout));
        Assert.False(string.IsNullOrEmpty(e.Message), what);
        var frames = await peer.ReadToEndAsync();
        Assert.Equal(YamuxHeader.GoAway((uint)YamuxGoAwayCode.ProtocolError), frames[^1]);

        var streamError = await Assert.ThrowsAsync<MuxerClosedException>(async () => await stream.ReadAsync(new byte[1]));
        Assert.Same(e, streamError.InnerException);
        Assert.Equal((uint)YamuxGoAwayCode.ProtocolError, streamError.ErrorCode);
    }

    [Fact]
    public async Task Input_DataBeyondWindowOnOpenStream_FaultsPendingReaderAndWriter()
    {
        var (session, peer) = RawPeer.Create(sessionIsInitiator: false);
        await peer.SendAsync(YamuxHeader.WindowUpdate(1, 0, YamuxFlags.Syn));
        var stream = await session.AcceptAsync().AsTask().WaitAsync(Timeout);
        var read = stream.ReadExactlyAsync(YamuxHeader.InitialWindow + 1);
        var write = stream.WriteAsync(new byte[YamuxHeader.InitialWindow + 1]).AsTask();

        // Just under half the window first: however fast the reader takes it, that frees less than
        // half a window, so no update is granted before the second frame, which then exceeds the
        // credit left by one byte whatever the timing (a full window first raced the reader's update).
        const int first = (YamuxHeader.InitialWindow / 2) - 1;
        const int second = YamuxHeader.InitialWindow - first + 1;
        await peer.SendAsync(YamuxHeader.Data(1, first), new byte[first]);
        await peer.SendAsync(YamuxHeader.Data(1, second), new byte[second]);
        peer.CompleteOutput();
        var drained = peer.ReadToEndAsync();

        await Assert.ThrowsAsync<MuxerClosedException>(() => read.WaitAsync(Timeout));
        await Assert.ThrowsAsync<MuxerClosedException>(() => write.WaitAsync(Timeout));
        await Assert.ThrowsAsync<WireProtocolViolationException>(() => session.Completion.WaitAsync(Timeout));
        Assert.Equal(YamuxHeader.GoAway((uint)YamuxGoAwayCode.ProtocolError), (await drained)[^1]);
    }

    [Fact]
    public async Task Input_SplitAcrossOneByteChunks_ParsesFrames()
    {
        var (session, peer) = RawPeer.Create(sessionIsInitiator: false);
        byte[] bytes =
        [
            .. Frame(YamuxHeader.Data(1, 5, YamuxFlags.Syn)), 1, 2, 3, 4, 5,
            .. Frame(YamuxHeader.Data(1, 0)),
            .. Frame(YamuxHeader.Data(1, 2, YamuxFlags.Fin)), 6, 7,
        ];
        foreach (var b in bytes)
        {
            await peer.SendBytesAsync(new[] { b });
        }

        var stream = await session.AcceptAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7 }, await stream.ReadToEndAsync());
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task Input_FramesForUnknownStreams_AreDropped()
    {
        var (session, peer) = RawPeer.Create(sessionIsInitiator: false);
        await peer.SendAsync(YamuxHeader.Data(9, 4), [1, 2, 3, 4]);
        await peer.SendAsync(YamuxHeader.WindowUpdate(11, 100));
        await peer.SendAsync(YamuxHeader.WindowUpdate(13, 0, YamuxFlags.Rst));
        await peer.SendAsync(YamuxHeader.Ping(3, response: false));
        Assert.Equal(YamuxHeader.Ping(3, response: true), (await peer.ReadFrameAsync()).Header);
        Assert.Equal(0, session.StreamCount);
        Assert.False(session.Completion.IsCompleted);
        session.Abort(new IOException("done"));
    }

    [Fact]
    public async Task Input_RandomBytes_OnlyTypedOutcomes()
    {
        // Mostly valid headers with random fields, plus raw noise: whatever arrives, the session
        // ends cleanly or with a WireProtocolViolationException, and never hangs.
        var header = Gen.Select(Gen.Byte[0, 3], Gen.Int[0, 15], Gen.UInt[0, 6], Gen.UInt[0, 40])
            .Select((type, flags, id, length) => Frame(new YamuxHeader((YamuxFrameType)type, (YamuxFlags)flags, id, length)));
        var piece = Gen.Frequency((4, header), (1, Gen.Byte.Array[1, 30]));
        var input = piece.Array[0, 30].Select(pieces => pieces.SelectMany(p => p).ToArray());
        var cut = Gen.Int[1, 50];

        await Gen.Select(input, cut, Gen.Bool).SampleAsync(async (bytes, chunk, initiator) =>
        {
            var (a, b) = InMemoryDuplexChannel.CreatePair(capacity: 4096);
            var options = new YamuxOptions { PingOnStart = false, KeepAliveInterval = null, CloseTimeout = TimeSpan.Zero };
            var session = new YamuxSession(a, initiator, options);
            var peer = new RawPeer(b);
            var drained = peer.ReadToEndAsync();
            // The session may drop the connection part way (a violation with no grace period).
            for (var i = 0; i < bytes.Length; i += chunk)
            {
                if (!await peer.TrySendBytesAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i))))
                {
                    break;
                }
            }

            peer.CompleteOutput();
            try
            {
                await session.Completion.WaitAsync(Timeout);
            }
            catch (WireProtocolViolationException)
            {
            }
            catch (MuxerClosedException e) when (e.Remote && e.ErrorCode is not null and not 0)
            {
                // A GoAway with an error code from the peer.
            }

            await drained.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Timeout);
        }, iter: 500);
    }

    private static byte[] Frame(YamuxHeader header)
    {
        var bytes = new byte[YamuxHeader.Size];
        header.WriteTo(bytes);
        return bytes;
    }

    private static byte[] Bytes(Action<byte[]> mutate)
    {
        var bytes = Frame(YamuxHeader.Ping(1, response: false));
        mutate(bytes);
        return bytes;
    }
}
