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
