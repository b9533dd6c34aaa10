using Rx.Network.Muxing;

namespace Rx.Network.Tests.Swarm;

public partial class SwarmNetworkTests
{
    [Fact]
    public async Task DisposeAsync_SendsGoAway_SoTheRemoteOpensNoNewStreams_WhileOpenOnesFinish()
    {
        await using var a = await SwarmKit.StartAsync(x => x.WithOptions(o => o with { ShutdownTimeout = TimeSpan.FromSeconds(30) }));
        await using var b = await SwarmKit.StartAsync(listen: false);
        a.SetStreamHandler(Hold, HoldAsync);
        var connection = await SwarmKit.ConnectAsync(b, a);
        var held = await connection.NewStreamAsync([Hold]).WaitAsync(Wait);

        var disposing = a.DisposeAsync().AsTask();

        // Once a's GoAway(normal) has arrived, b refuses new streams itself, naming the remote's code.
        var refused = await RefusedAsync(connection).WaitAsync(Wait);
        Assert.True(refused.Remote);
        Assert.Equal((uint)YamuxGoAwayCode.Normal, refused.ErrorCode);

        // The open stream still holds the graceful close open (the grace is 30 s)...
        Assert.False(disposing.IsCompleted);
        await held.WriteAsync(new byte[] { 1 }).AsTask().WaitAsync(Wait);

        // ...and ending it lets the shutdown finish.
        await held.CloseWriteAsync().AsTask().WaitAsync(Wait);
        await disposing.WaitAsync(Wait);
        await connection.Completion.WaitAsync(Wait);
        Assert.Equal(Connectedness.CanConnect, a.Connectedness(b.LocalPeer));
    }

    [Fact]
    public async Task NewStreamAsync_RemoteSentGoAwayOnTheConnection_DialsAFreshOne()
    {
        // a closes its connection to b gracefully while a stream is open on it: the connection
        // stays (the stream may finish) but takes no new streams, so b's next NewStreamAsync must
        // not be handed it.
        await using var a = await SwarmKit.StartAsync();
        await using var b = await SwarmKit.StartAsync(listen: false);
        a.SetStreamHandler(Hold, HoldAsync);
        var first = await SwarmKit.ConnectAsync(b, a);
        var held = await first.NewStreamAsync([Hold]).WaitAsync(Wait);
        var closing = a.ConnectionsToPeer(b.LocalPeer).Single().CloseAsync();
        await RefusedAsync(first).WaitAsync(Wait);
        Assert.False(first.Completion.IsCompleted);

        var fresh = await b.NewStreamAsync(a.LocalPeer, [Hold]).WaitAsync(Wait);
        Assert.NotSame(first, fresh.Connection);
        await fresh.WriteAsync(new byte[] { 1 }).AsTask().WaitAsync(Wait);

        // The old connection still carries its stream to the end.
        await held.WriteAsync(new byte[] { 2 }).AsTask().WaitAsync(Wait);
        await held.CloseWriteAsync().AsTask().WaitAsync(Wait);
        await closing.WaitAsync(Wait);
        await fresh.DisposeAsync();
    }

    /// <summary>Opens streams until the connection refuses because of the remote's GoAway.</summary>
    private static async Task<MuxerClosedException> RefusedAsync(IConnection connection)
    {
        while (true)
        {
            try
            {
                // Before the GoAway arrives an attempt may still reach the closing remote, which
                // refuses it; each attempt is a round trip, so this does not spin.
                (await connection.NewStreamAsync([Hold])).Reset();
            }
            catch (MuxerClosedException e) when (e.Remote)
            {
                return e;
            }
            catch (IOException)
            {
            }
        }
    }
}
