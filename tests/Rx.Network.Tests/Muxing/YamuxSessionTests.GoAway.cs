using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

// Regression: a GoAway(normal) from the peer used to leave the session open for good once its
// streams were done, holding the connection (and the peer's slot) until keep-alive or the peer
// ended it, though no new stream could ever be opened on it.
public partial class YamuxSessionTests
{
    [Fact]
    public async Task RemoteGoAway_NoStreams_SessionClosesGracefully()
    {
        var (session, peer) = RawPeer.Create(sessionIsInitiator: true);
        await peer.SendAsync(YamuxHeader.GoAway((uint)YamuxGoAwayCode.Normal));

        await session.Completion.WaitAsync(Timeout);
        var frames = await peer.ReadToEndAsync();
        Assert.Contains(YamuxHeader.GoAway((uint)YamuxGoAwayCode.Normal), frames);
    }

    [Fact]
    public async Task RemoteGoAway_OpenStream_SessionWaitsForIt_ThenCloses()
    {
        var (session, peer) = RawPeer.Create(sessionIsInitiator: false);
        await peer.SendAsync(YamuxHeader.WindowUpdate(1, 0, YamuxFlags.Syn));
        var stream = await session.AcceptAsync().AsTask().WaitAsync(Timeout);
        await peer.SendAsync(YamuxHeader.GoAway((uint)YamuxGoAwayCode.Normal));

        // The stream still works both ways.
        await peer.SendAsync(YamuxHeader.Data(1, 3), [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, await stream.ReadExactlyAsync(3).WaitAsync(Timeout));
        var buffer = new byte[3];
        await stream.WriteAsync(new byte[] { 4 });
        Assert.Equal(new byte[] { 4 }, (await peer.ReadUntilAsync(h => h.Type == YamuxFrameType.Data && h.StreamId == 1)).Payload);
        Assert.False(session.Completion.IsCompleted);

        // Both sides finish it: the session has nothing left and closes.
        await stream.CloseWriteAsync();
        await peer.SendAsync(YamuxHeader.Data(1, 0, YamuxFlags.Fin));
        Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout));
        await session.Completion.WaitAsync(Timeout);
    }
}
