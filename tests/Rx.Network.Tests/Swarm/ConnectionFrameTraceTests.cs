using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography;
using System.Threading.Tasks.Dataflow;
using Rx.Network.Muxing;
using Rx.Network.Protocols;

namespace Rx.Network.Tests.Swarm;

/// <summary>
/// A connection's frame trace (<see cref="IConnection.Frames"/>, <see cref="ConnectionTraceExtensions.TraceFrames"/>)
/// over TCP, Noise and yamux, with ping round trips as the traffic.
/// </summary>
public sealed class ConnectionFrameTraceTests
{
    /// <summary>Two networks without identify, so that the only streams are the test's own; the server answers pings.</summary>
    private static async Task<(INetwork Server, INetwork Client, IConnection Connection)> StartAsync()
    {
        var server = await SwarmKit.StartAsync(b => b.WithoutIdentify());
        var client = await SwarmKit.StartAsync(b => b.WithoutIdentify(), listen: false);
        return (server, client, await SwarmKit.ConnectAsync(client, server));
    }

    private static async Task<IStream> PingStreamAsync(IConnection connection) =>
        await connection.NewStreamAsync([PingService.ProtocolId]).WaitAsync(SwarmKit.Wait);

    private static async Task RoundTripAsync(IStream stream)
    {
        var payload = RandomNumberGenerator.GetBytes(PingService.PayloadSize);
        await stream.WriteAsync(payload).AsTask().WaitAsync(SwarmKit.Wait);
        var echo = new byte[payload.Length];
        int read = 0;
        while (read < echo.Length)
        {
            int n = await stream.ReadAsync(echo.AsMemory(read)).AsTask().WaitAsync(SwarmKit.Wait);
            Assert.NotEqual(0, n);
            read += n;
        }

        Assert.Equal(payload, echo);
    }

    [Fact]
    public async Task TraceFrames_PingRoundTrip_ShowsTheStreamsFramesBothWaysInOrder()
    {
        var (server, client, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = client;
        var trace = connection.TraceFrames().ToList().ToTask();

        var stream = await PingStreamAsync(connection);
        await RoundTripAsync(stream);
        await RoundTripAsync(stream);
        await connection.CloseAsync().WaitAsync(SwarmKit.Wait);
        var frames = await trace.WaitAsync(SwarmKit.Wait);

        var sent = frames.Where(f => f.Direction == Direction.Outbound).ToList();
        var received = frames.Where(f => f.Direction == Direction.Inbound).ToList();
        var open = sent.First(f => f.StreamId != 0);
        Assert.True(open.Flags.HasFlag(YamuxFlags.Syn), $"the stream's first frame opens it: {open}");
        uint id = open.StreamId;
        Assert.Equal(1u, id % 2);
        Assert.Contains(received, f => f.StreamId == id && f.Flags.HasFlag(YamuxFlags.Ack));

        // Ping echoes: the listener sent back as many bytes as it got (multistream-select's header
        // and protocol line, then two 32-byte payloads).
        long up = sent.Where(f => f.StreamId == id && f.Type == YamuxFrameType.Data).Sum(f => f.Length);
        long down = received.Where(f => f.StreamId == id && f.Type == YamuxFrameType.Data).Sum(f => f.Length);
        Assert.Equal(up, down);
        Assert.True(up >= 2 * PingService.PayloadSize, $"{up} bytes sent");

        // Each direction in order of time; the close is our GoAway(normal), after the stream's frames.
        Assert.Equal(sent.OrderBy(f => f.Timestamp), sent);
        Assert.Equal(received.OrderBy(f => f.Timestamp), received);
        var goAway = Assert.Single(sent, f => f.Type == YamuxFrameType.GoAway);
        Assert.Equal((0u, 0u), (goAway.StreamId, goAway.Length));
        Assert.True(sent.IndexOf(goAway) > sent.FindLastIndex(f => f.StreamId == id && f.Type == YamuxFrameType.Data));
    }

    [Fact]
    public async Task TraceFrames_Unsubscribed_UnlinksFromTheConnection()
    {
        var (server, client, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = client;
        var seen = 0;

        var subscription = connection.TraceFrames().Subscribe(_ => Interlocked.Increment(ref seen));
        Assert.True(((FrameTap)connection.Frames).IsActive);
        subscription.Dispose();

        Assert.False(((FrameTap)connection.Frames).IsActive);
        var stream = await PingStreamAsync(connection);
        await RoundTripAsync(stream);
        Assert.Equal(0, Volatile.Read(ref seen));
    }

    [Fact]
    public async Task TraceFrames_SlowObserver_DoesNotHoldTheConnection_AndEndsWithOverflow()
    {
        var (server, client, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = client;
        using var gate = new ManualResetEventSlim();
        var ended = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var delivered = 0;
        using var subscription = connection.TraceFrames(capacity: 4).Subscribe(
            _ =>
            {
                Interlocked.Increment(ref delivered);
                gate.Wait(SwarmKit.Wait);
            },
            e => ended.TrySetResult(e),
            () => ended.TrySetException(new InvalidOperationException("completed instead of overflowing")));

        try
        {
            // The observer is stuck in its first frame; the connection carries on regardless.
            var stream = await PingStreamAsync(connection);
            for (int i = 0; i < 20; i++)
            {
                await RoundTripAsync(stream);
            }

            Assert.False(ended.Task.IsCompleted);
        }
        finally
        {
            gate.Set();
        }

        var error = Assert.IsType<EventOverflowException>(await ended.Task.WaitAsync(SwarmKit.Wait));
        Assert.Equal(4, error.Capacity);
        Assert.Equal(1 + 4, Volatile.Read(ref delivered));
        Assert.False(((FrameTap)connection.Frames).IsActive);
    }

    [Fact]
    public async Task TraceFrames_ThrowingObserver_IsDropped_AndTheConnectionCarriesOn()
    {
        var (server, client, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = client;
        var calls = 0;
        var thrown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var notified = false;
        using var subscription = connection.TraceFrames().Subscribe(
            _ =>
            {
                Interlocked.Increment(ref calls);
                thrown.TrySetResult();
                throw new InvalidOperationException("observer bug");
            },
            _ => notified = true,
            () => notified = true);

        var stream = await PingStreamAsync(connection);
        await RoundTripAsync(stream);
        await thrown.Task.WaitAsync(SwarmKit.Wait);
        await RoundTripAsync(stream);
        await RoundTripAsync(stream);

        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.False(notified);
        Assert.False(connection.Completion.IsCompleted);
    }

    [Fact]
    public async Task Frames_UserBlockLinkedIn_SeesAndTransformsTheFrames()
    {
        var (server, client, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = client;
        var format = new TransformBlock<TracedFrame, string>(f => $"{f.Direction} {f.Type} {f.Flags} {f.StreamId}");
        var lines = new BufferBlock<string>();
        format.LinkTo(lines, new DataflowLinkOptions { PropagateCompletion = true });
        using var link = connection.Frames.LinkTo(format, new DataflowLinkOptions { PropagateCompletion = true });

        var stream = await PingStreamAsync(connection);
        await RoundTripAsync(stream);
        await connection.CloseAsync().WaitAsync(SwarmKit.Wait);

        await format.Completion.WaitAsync(SwarmKit.Wait);
        Assert.True(lines.TryReceiveAll(out var all));
        await lines.Completion.WaitAsync(SwarmKit.Wait);
        Assert.Contains("Outbound WindowUpdate Syn 1", all);
        Assert.Contains("Inbound WindowUpdate Ack 1", all);
        Assert.Contains("Outbound GoAway None 0", all);
    }

    [Fact]
    public async Task TraceFrames_InvalidArguments_Throw()
    {
        var (server, client, connection) = await StartAsync();
        await using var _ = server;
        await using var __ = client;

        Assert.Throws<ArgumentNullException>(() => ConnectionTraceExtensions.TraceFrames(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => connection.TraceFrames(0));
    }
}
