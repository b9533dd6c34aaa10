using System.Net;
using System.Net.Sockets;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Resources;
using Rx.Network.Tests.Muxing;
using Rx.Network.Tests.Swarm;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Resources;

/// <summary>The resource manager as the muxer, the router and the swarm consult it.</summary>
public sealed class ResourceEnforcementTests
{
    private const int Initial = YamuxHeader.InitialWindow;
    private const string Ping = "/ipfs/ping/1.0.0";
    private static readonly PeerId Remote = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);

    private static ConnectionScope Connection(ResourceManager manager)
    {
        var scope = manager.TryOpenInbound(IPAddress.Parse("192.0.2.1"), out _)!;
        Assert.True(scope.TrySetPeer(Remote, out _));
        return scope;
    }

    [Fact]
    public void ReceiveWindow_GrowthRefused_KeepsItsSizeAndStillGrants()
    {
        var time = new FakeTimeProvider();
        var rtt = TimeSpan.FromMilliseconds(10);
        using var manager = new ResourceManager(ResourceLimits.Default with { Stream = new ScopeLimits { Memory = 2 * Initial } }, time, publishPeriodically: false);
        var connection = Connection(manager);
        var scope = connection.TryOpenStream(inbound: true, Initial, out _)!;
        var window = new ReceiveWindow(Initial, 16 * Initial, time, scope);

        // First doubling fits the stream's 2 windows; the second does not.
        for (int round = 0; round < 2; round++)
        {
            Assert.True(window.TryReceive((uint)(window.Window / 2)));
            window.Consume(window.Window / 2);
            time.Advance(rtt);
            Assert.True(window.TakeUpdate(rtt, force: false) > 0);
        }

        Assert.Equal(2 * Initial, window.Window);
        Assert.Equal(2 * Initial, scope.Memory);
        Assert.Equal(2 * Initial, manager.SystemUsage.Memory);
        Assert.Equal(window.Window, window.Credit + window.Buffered);

        scope.Dispose();
        connection.Dispose();
        Assert.True(manager.SystemUsage.IsZero);
    }

    [Fact]
    public async Task Yamux_InboundStreamOverTheLimit_IsResetWithTheResourceCode_AndReleased()
    {
        using var manager = new ResourceManager(ResourceLimits.Default with { Connection = new ScopeLimits { InboundStreams = 1 } }, TimeProvider.System, publishPeriodically: false);
        var connection = Connection(manager);
        var (a, b) = InMemoryDuplexChannel.CreatePair(64);
        var session = new YamuxSession(a, isInitiator: false, new YamuxOptions { PingOnStart = false, KeepAliveInterval = null }, TimeProvider.System, connection);
        var peer = new RawPeer(b);
        try
        {
            await peer.SendAsync(YamuxHeader.WindowUpdate(1, 0, YamuxFlags.Syn));
            await peer.SendAsync(YamuxHeader.WindowUpdate(3, 0, YamuxFlags.Syn));
            var (reset, _) = await peer.ReadUntilAsync(h => h.Has(YamuxFlags.Rst));
            Assert.Equal(3u, reset.StreamId);
            Assert.Equal(ResourceLimitExceededException.StreamResetCode, reset.Length);
            Assert.Equal(1, manager.SystemUsage.InboundStreams);
            Assert.Equal(Initial, manager.SystemUsage.Memory);

            // The first one is usable; once it ends, everything is back.
            var first = await session.AcceptAsync().AsTask().WaitAsync(RawPeer.Timeout);
            first.Reset();
            Assert.Equal(0, manager.SystemUsage.InboundStreams);
            Assert.Equal(0, manager.SystemUsage.Memory);
        }
        finally
        {
            session.Abort(new OperationCanceledException("test over"));
            await session.Completion.ContinueWith(_ => { }, TaskScheduler.Default);
            connection.Dispose();
        }

        Assert.True(manager.SystemUsage.IsZero);
        Assert.Equal(0, manager.SharedScopeCount);
    }

    [Fact]
    public async Task Yamux_LocalOpenOverTheLimit_ThrowsNamingTheScope()
    {
        using var manager = new ResourceManager(ResourceLimits.Default with { Peer = new ScopeLimits { OutboundStreams = 1 } }, TimeProvider.System, publishPeriodically: false);
        var connection = Connection(manager);
        var (a, b) = InMemoryDuplexChannel.CreatePair(64);
        await using var session = new YamuxSession(a, isInitiator: true, new YamuxOptions { PingOnStart = false, KeepAliveInterval = null }, TimeProvider.System, connection);
        _ = new RawPeer(b);
        var first = await session.OpenStreamAsync();
        var error = await Assert.ThrowsAsync<ResourceLimitExceededException>(() => session.OpenStreamAsync());
        Assert.Equal($"peer:{Remote}", error.Scope);
        Assert.Equal(ScopeKind.Peer, error.Kind);
        Assert.Equal(Resource.OutboundStreams, error.Resource);
        Assert.Equal(1, error.Limit);
        Assert.Equal(1, session.OutboundStreamCount);
        first.Reset();
        Assert.Equal(0, manager.SystemUsage.OutboundStreams);
    }

    [Fact]
    public async Task Router_ThirdConcurrentPingStreamFromOnePeer_IsResetWithTheCode_AndReported()
    {
        await using var server = await SwarmKit.StartAsync();
        await using var client = await SwarmKit.StartAsync(listen: false);
        using var events = new EventRecorder(server);
        SwarmKit.Introduce(client, server);

        var open = new List<IStream>();
        Exception? refused = null;
        for (int i = 0; i < 3 && refused is null; i++)
        {
            try
            {
                var stream = await client.NewStreamAsync(server.LocalPeer, [Ping]).WaitAsync(SwarmKit.Wait);
                open.Add(stream);
                await stream.WriteAsync(new byte[32]);
                var echo = new byte[32];
                int read = 0;
                while (read < echo.Length)
                {
                    int n = await stream.ReadAsync(echo.AsMemory(read)).AsTask().WaitAsync(SwarmKit.Wait);
                    Assert.True(n > 0);
                    read += n;
                }
            }
            catch (StreamResetException e)
            {
                refused = e;
            }
        }

        var reset = Assert.IsType<StreamResetException>(refused);
        Assert.True(reset.Remote);
        Assert.Equal(ResourceLimitExceededException.StreamResetCode, reset.Code);

        var reached = await events.WaitForAsync<ResourceLimitReached>();
        Assert.Equal(ScopeKind.ProtocolPeer, reached.Kind);
        Assert.Equal(Resource.InboundStreams, reached.Resource);
        Assert.Equal(Ping, reached.Protocol);
        Assert.Equal(client.LocalPeer, reached.Peer);
        Assert.Equal(2, reached.Limit);
        Assert.Equal($"protocol-peer:{Ping}@{client.LocalPeer}", reached.Scope);

        foreach (var stream in open)
        {
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task Swarm_StalledUpgradesFromOneAddress_DoNotLockOutAnother()
    {
        await using var server = await SwarmKit.StartAsync(b => b.WithResourceLimits(l => l with { Ip4Address = l.Ip4Address with { PendingConnections = 2 } }));
        using var events = new EventRecorder(server);
        var endPoint = (IPEndPoint)server.ListenAddresses[0].ToEndPoint();

        // Three silent connections from 127.0.0.2: two are pending, the third is closed at once.
        var stalled = new List<Socket>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                stalled.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                try
                {
                    await socket.ConnectAsync(endPoint);
                }
                catch (SocketException) when (i == 2)
                {
                    // Refused so fast that the connect itself saw the reset.
                }
            }

            var refused = await events.WaitForAsync<InboundRefused>();
            Assert.Equal("Resources:address:127.0.0.2/32:PendingConnections", refused.Reason.Limit);
            var inner = Assert.IsType<ResourceLimitExceededException>(refused.Reason.InnerException);
            Assert.Equal(ScopeKind.Address, inner.Kind);
            var reached = await events.WaitForAsync<ResourceLimitReached>();
            Assert.Equal(IPAddress.Parse("127.0.0.2"), reached.Address);
            Assert.Equal(2, server.Resources.SystemUsage.PendingConnections);

            // An honest peer from 127.0.0.1 connects meanwhile.
            await using var honest = await SwarmKit.StartAsync(listen: false);
            await SwarmKit.ConnectAsync(honest, server);
            Assert.Equal(1, server.Resources.SystemUsage.InboundConnections);
        }
        finally
        {
            stalled.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Swarm_UsageReturnsToZero_AfterStreamsAndConnectionsEndEveryWay()
    {
        await using var server = await SwarmKit.StartAsync(b => b.WithResourceLimits(l => l with { PublishInterval = TimeSpan.FromMilliseconds(20) }));
        server.SetStreamHandler("/echo/1.0.0", async stream =>
        {
            var buffer = new byte[4096];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read));
            }

            await stream.CloseWriteAsync();
        });
        server.SetStreamHandler("/hold/1.0.0", stream => stream.Completion);

        var clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SwarmKit.StartAsync(listen: false)));
        try
        {
            // Client 0: clean streams, then a graceful close. Client 1: resets, then its network
            // is disposed. Client 2: streams left open, then its connection aborted.
            var streams = new List<IStream>();
            foreach (var client in clients)
            {
                await SwarmKit.ConnectAsync(client, server);
                for (int i = 0; i < 4; i++)
                {
                    var stream = await client.NewStreamAsync(server.LocalPeer, [i % 2 == 0 ? "/echo/1.0.0" : "/hold/1.0.0"]).WaitAsync(SwarmKit.Wait);
                    await stream.WriteAsync(new byte[1000]);
                    streams.Add(stream);
                }
            }

            Assert.True(server.Resources.SystemUsage.Memory >= 12 * Initial);
            Assert.Equal(3, server.Resources.SystemUsage.InboundConnections);

            foreach (var stream in streams.Take(4))
            {
                await stream.DisposeAsync();
            }

            foreach (var stream in streams.Skip(4).Take(4))
            {
                stream.Reset();
            }

            await clients[0].ClosePeerAsync(server.LocalPeer);
            await clients[1].DisposeAsync();
            ((Rx.Network.Swarm.SwarmConnection)server.ConnectionsToPeer(clients[2].LocalPeer)[0]).Abort(new IOException("test abort"));

            ScopeUsage zero;
            try
            {
                zero = await server.Resources.Scopes.Watch("system")
                    .Select(change => change.Current.Usage)
                    .FirstAsync(usage => usage.IsZero)
                    .ToTask()
                    .WaitAsync(SwarmKit.Wait);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"Still held: {string.Join("; ", server.Resources.Scopes.Items.Select(r => $"{r.Name} {r.Usage}"))}");
                throw;
            }

            Assert.True(zero.IsZero);
            Assert.True(server.Resources.SystemUsage.IsZero);
            await server.Resources.Scopes.Connect()
                .Select(_ => server.Resources.Scopes.Keys)
                .FirstAsync(keys => keys.Count == 2)
                .ToTask()
                .WaitAsync(SwarmKit.Wait);
            Assert.Equal(["system", "transient"], server.Resources.Scopes.Keys.Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
