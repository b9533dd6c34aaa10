using System.Collections.Concurrent;
using System.Reactive.Linq;
using Rx.Network.Addressing;

namespace Rx.Network.Tests.Swarm;

public partial class SwarmNetworkTests
{
    private const string Echo = "/test/echo";
    private const string Hold = "/test/hold";

    [Fact]
    public async Task Events_PerConnection_ConnectedPrecedesStreams_DisconnectedFollowsThem()
    {
        await using var a = await SwarmKit.StartAsync();
        await using var b = await SwarmKit.StartAsync();
        using var aEvents = new EventRecorder(a);
        using var bEvents = new EventRecorder(b);
        b.SetStreamHandler(Echo, EchoAsync);
        b.SetStreamHandler(Hold, HoldAsync);
        var connection = await SwarmKit.ConnectAsync(a, b);

        // Three streams run to their end; two are still open when the connection is cut.
        for (int i = 0; i < 3; i++)
        {
            await EchoOnceAsync(connection);
        }

        var held = new[] { await connection.NewStreamAsync([Hold]), await connection.NewStreamAsync([Hold]) };
        await bEvents.WaitForCountAsync<StreamOpened>(5, e => e.Stream.Protocol is Echo or Hold);
        await connection.CloseAsync(new CancellationToken(canceled: true)).WaitAsync(Wait);
        foreach (var stream in held)
        {
            await Assert.ThrowsAnyAsync<IOException>(() => stream.Completion.WaitAsync(Wait));
        }

        await aEvents.WaitForAsync<Disconnected>(e => e.Connection == connection);
        var remote = (await bEvents.WaitForAsync<Disconnected>(e => e.Connection.RemotePeer == a.LocalPeer)).Connection;
        AssertOrdered(aEvents.Events, connection, expectedStreams: 5);
        AssertOrdered(bEvents.Events, remote, expectedStreams: 5);
    }

    [Fact]
    public async Task Events_ListenStartedAndListenClosed_ThenTheStreamCompletes()
    {
        var network = new NetworkBuilder().Build();
        using var events = new EventRecorder(network);
        await network.ListenAsync([SwarmKit.Loopback]).WaitAsync(Wait);

        var started = await events.WaitForAsync<ListenStarted>();
        Assert.Equal(Assert.Single(network.ListenAddresses), started.Address);
        Assert.NotEqual(0, SwarmKit.PortOf(started.Address));

        await network.DisposeAsync();
        var closed = await events.WaitForAsync<ListenClosed>();
        Assert.Equal(started.Address, closed.Address);
        Assert.Null(closed.Error);
        await events.Ended;
        Assert.Empty(network.ListenAddresses);
    }

    [Fact]
    public async Task Notify_ReceivesEveryCallInOrder_AndStopsOnceDisposed()
    {
        await using var b = new NetworkBuilder().Build();
        await using var a = await SwarmKit.StartAsync(listen: false);
        var notifiee = new RecordingNotifiee();
        var registration = b.Notify(notifiee);
        using var control = new EventRecorder(b);
        b.SetStreamHandler(Echo, EchoAsync);
        await b.ListenAsync([SwarmKit.Loopback]).WaitAsync(Wait);

        var connection = await SwarmKit.ConnectAsync(a, b);
        await EchoOnceAsync(connection);
        await a.ClosePeerAsync(b.LocalPeer).WaitAsync(Wait);
        var disconnected = await control.WaitForAsync<Disconnected>();
        await notifiee.WaitForAsync($"Disconnected {disconnected.Connection.Id}");

        var listen = b.ListenAddresses[0];
        var remote = disconnected.Connection;
        var stream = Assert.Single(control.Events.OfType<StreamOpened>(), e => e.Stream.Protocol == Echo).Stream;
        Assert.Equal(
            [$"Listen {listen}", $"Connected {remote.Id}", $"OpenedStream {stream.Id}", $"ClosedStream {stream.Id}", $"Disconnected {remote.Id}"],
            notifiee.Calls.Where(c => !c.Contains("Stream", StringComparison.Ordinal) || c.EndsWith(stream.Id, StringComparison.Ordinal)));

        // Once the registration is disposed, later events reach other subscribers only.
        registration.Dispose();
        int before = notifiee.Calls.Length;
        await SwarmKit.ConnectAsync(a, b);
        await control.WaitForCountAsync<Connected>(2);
        Assert.Equal(before, notifiee.Calls.Length);
    }

    [Fact]
    public async Task Events_ThrowingAndSlowSubscribers_NeitherBlockNorBreakTheNetwork()
    {
        const int capacity = 8;
        await using var b = await SwarmKit.StartAsync(x => x.WithOptions(o => o with { EventQueueCapacity = capacity }));
        await using var a = await SwarmKit.StartAsync(listen: false);
        b.SetStreamHandler(Echo, EchoAsync);

        int thrownCalls = 0;
        using var thrower = b.Events.Subscribe(_ =>
        {
            Interlocked.Increment(ref thrownCalls);
            throw new InvalidOperationException("subscriber bug");
        });

        using var release = new ManualResetEventSlim();
        int slowReceived = 0;
        var slowEnded = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var slow = b.Events.Subscribe(
            _ =>
            {
                release.Wait();
                Interlocked.Increment(ref slowReceived);
            },
            e => slowEnded.TrySetResult(e),
            () => slowEnded.TrySetException(new InvalidOperationException("completed instead of overflowing")));

        using var healthy = new EventRecorder(b);

        // Far more events than the slow subscriber's queue holds, while it blocks. Paced by the
        // healthy subscriber, so that only the slow one can fall behind.
        const int echoes = 10;
        var connection = await SwarmKit.ConnectAsync(a, b);
        for (int i = 0; i < echoes; i++)
        {
            await EchoOnceAsync(connection);
            await healthy.WaitForCountAsync<StreamClosed>(i + 1, e => e.Stream.Protocol == Echo);
        }

        Assert.Single(healthy.Events.OfType<Connected>());
        Assert.Equal(echoes, healthy.Events.OfType<StreamOpened>().Count(e => e.Stream.Protocol == Echo));
        Assert.Equal(1, Volatile.Read(ref thrownCalls));

        release.Set();
        var overflow = Assert.IsType<EventOverflowException>(await slowEnded.Task.WaitAsync(Wait));
        Assert.Equal(capacity, overflow.Capacity);

        // It got what its queue held (plus the one it was blocked on), in order, and nothing after.
        Assert.InRange(Volatile.Read(ref slowReceived), capacity, capacity + 1);
    }

    [Fact]
    public async Task Notify_NotifieeFallingTooFarBehind_IsReportedAtOnceAsEventAndLog()
    {
        const int capacity = 8;
        var log = new Rx.Network.Tests.Protocols.RequestReplyLog();
        await using var b = await SwarmKit.StartAsync(x => x.WithOptions(o => o with { EventQueueCapacity = capacity }).WithLoggerFactory(log));
        await using var a = await SwarmKit.StartAsync(listen: false);
        b.SetStreamHandler(Echo, EchoAsync);
        using var release = new ManualResetEventSlim();
        var stuck = new StuckNotifiee(release);
        using var registration = b.Notify(stuck);
        using var healthy = new EventRecorder(b);

        // Far more events than the notifiee's queue holds while its first call blocks.
        var connection = await SwarmKit.ConnectAsync(a, b);
        for (int i = 0; i < 10; i++)
        {
            await EchoOnceAsync(connection);
        }

        // Reported while the notifiee is still stuck, not once (if ever) it returns.
        var overflowed = await healthy.WaitForAsync<NotifieeOverflowed>();
        Assert.Same(stuck, overflowed.Notifiee);
        Assert.Equal(capacity, overflowed.Error.Capacity);
        Assert.Same(overflowed.Error, await log.WhenLogged(e => e is EventOverflowException));
        release.Set();
    }

    /// <summary>A notifiee whose first call blocks until released.</summary>
    private sealed class StuckNotifiee(ManualResetEventSlim release) : INotifiee
    {
        public void Connected(INetwork network, IConnection connection) => release.Wait();
    }

    [Fact]
    public async Task SetConnectionHandler_CalledPerConnection_ThrowingIsHarmless()
    {
        await using var b = await SwarmKit.StartAsync();
        await using var a1 = await SwarmKit.StartAsync(listen: false);
        await using var a2 = await SwarmKit.StartAsync(listen: false);
        b.SetStreamHandler(Echo, EchoAsync);
        var seen = new ConcurrentQueue<IConnection>();
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = b.SetConnectionHandler(c =>
        {
            seen.Enqueue(c);
            called.TrySetResult();
            throw new InvalidOperationException("handler bug");
        });

        var first = await SwarmKit.ConnectAsync(a1, b);
        await called.Task.WaitAsync(Wait);
        registration.Dispose();
        await SwarmKit.ConnectAsync(a2, b);

        Assert.Equal(a1.LocalPeer, Assert.Single(seen).RemotePeer);
        await EchoOnceAsync(first);
    }

    [Fact]
    public async Task SetConnectionHandler_DisposingAReplacedRegistration_KeepsTheNewerHandler()
    {
        await using var b = await SwarmKit.StartAsync();
        await using var a = await SwarmKit.StartAsync(listen: false);
        var older = b.SetConnectionHandler(_ => throw new InvalidOperationException("replaced handler called"));
        var called = new TaskCompletionSource<IConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var newer = b.SetConnectionHandler(c => called.TrySetResult(c));
        older.Dispose();

        await SwarmKit.ConnectAsync(a, b);

        Assert.Equal(a.LocalPeer, (await called.Task.WaitAsync(Wait)).RemotePeer);
        Assert.Throws<ArgumentNullException>(() => b.SetConnectionHandler((Action<IConnection>)null!));
        Assert.Throws<ArgumentNullException>(() => b.SetConnectionHandler((Action<IConnection, CancellationToken>)null!));
    }

    [Fact]
    public async Task Handlers_ReceiveATokenCancelledWhenTheNetworkShutsDown()
    {
        var b = await SwarmKit.StartAsync();
        await using var a = await SwarmKit.StartAsync(listen: false);
        var connectionToken = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onConnection = b.SetConnectionHandler((_, token) => connectionToken.TrySetResult(token));
        var handling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerEnded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStream = b.SetStreamHandler(Echo, async (stream, token) =>
        {
            // A handler that would otherwise wait for its peer for ever.
            var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = token.Register(() => cancelled.TrySetResult());
            handling.TrySetResult();
            await cancelled.Task;
            handlerEnded.TrySetResult(token.IsCancellationRequested);
        });

        var connection = await SwarmKit.ConnectAsync(a, b);
        var token = await connectionToken.Task.WaitAsync(Wait);
        Assert.False(token.IsCancellationRequested);
        await using var stream = await connection.NewStreamAsync([Echo]).WaitAsync(Wait);
        await handling.Task.WaitAsync(Wait);

        await b.DisposeAsync().AsTask().WaitAsync(Wait);

        Assert.True(token.IsCancellationRequested);
        Assert.True(await handlerEnded.Task.WaitAsync(Wait));
    }

    /// <summary>
    /// Checks, for one connection, that <see cref="Connected"/> comes first and
    /// <see cref="Disconnected"/> last, and that each stream opened in between also closed in between.
    /// </summary>
    private static void AssertOrdered(IReadOnlyList<NetworkEvent> events, IConnection connection, int expectedStreams)
    {
        var mine = events
            .Select((e, i) => (Event: e, Index: i))
            .Where(x => x.Event switch
            {
                Connected c => c.Connection == connection,
                Disconnected d => d.Connection == connection,
                StreamOpened o => o.Stream.Connection == connection,
                StreamClosed c => c.Stream.Connection == connection,
                _ => false,
            })
            .ToArray();
        Assert.IsType<Connected>(mine[0].Event);
        Assert.IsType<Disconnected>(mine[^1].Event);
        Assert.Single(mine, x => x.Event is Connected);
        Assert.Single(mine, x => x.Event is Disconnected);

        var opened = mine.Where(x => x.Event is StreamOpened).ToDictionary(x => ((StreamOpened)x.Event).Stream, x => x.Index);
        var closed = mine.Where(x => x.Event is StreamClosed).ToDictionary(x => ((StreamClosed)x.Event).Stream, x => x.Index);
        Assert.True(opened.Count >= expectedStreams, $"{opened.Count} streams opened, expected {expectedStreams}");
        Assert.Equal(opened.Keys.ToHashSet(), closed.Keys.ToHashSet());
        Assert.All(opened, o => Assert.True(o.Value < closed[o.Key], $"stream {o.Key} closed before it opened"));
    }

    private static async Task EchoOnceAsync(IConnection connection)
    {
        var stream = await connection.NewStreamAsync([Echo]).WaitAsync(Wait);
        await using (stream)
        {
            await stream.WriteAsync("hello"u8.ToArray());
            await stream.CloseWriteAsync();
            Assert.Equal("hello"u8.ToArray(), await ReadToEndAsync(stream));
        }

        await stream.Completion.WaitAsync(Wait);
    }

    /// <summary>Keeps the stream until the remote ends it.</summary>
    private static async Task HoldAsync(IStream stream)
    {
        var buffer = new byte[64];
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
    }

    private sealed class RecordingNotifiee : INotifiee
    {
        private readonly List<string> calls = [];
        private readonly List<(string Call, TaskCompletionSource Signal)> waiters = [];

        public string[] Calls
        {
            get
            {
                lock (calls)
                {
                    return calls.ToArray();
                }
            }
        }

        public Task WaitForAsync(string call)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (calls)
            {
                if (calls.Contains(call))
                {
                    return Task.CompletedTask;
                }

                waiters.Add((call, signal));
            }

            return signal.Task.WaitAsync(Wait);
        }

        public void Listen(INetwork network, Multiaddr address) => Record($"Listen {address}");

        public void ListenClose(INetwork network, Multiaddr address) => Record($"ListenClose {address}");

        public void Connected(INetwork network, IConnection connection) => Record($"Connected {connection.Id}");

        public void Disconnected(INetwork network, IConnection connection) => Record($"Disconnected {connection.Id}");

        public void OpenedStream(INetwork network, IStream stream) => Record($"OpenedStream {stream.Id}");

        public void ClosedStream(INetwork network, IStream stream) => Record($"ClosedStream {stream.Id}");

        private void Record(string call)
        {
            TaskCompletionSource[] ready;
            lock (calls)
            {
                calls.Add(call);
                ready = waiters.Where(w => w.Call == call).Select(w => w.Signal).ToArray();
                waiters.RemoveAll(w => w.Call == call);
            }

            foreach (var signal in ready)
            {
                signal.TrySetResult();
            }
        }
    }
}
