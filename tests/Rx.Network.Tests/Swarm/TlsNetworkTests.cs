using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography;
using Rx.Network.Protocols;
using Rx.Network.Swarm;

namespace Rx.Network.Tests.Swarm;

/// <summary>Whole networks over TCP loopback secured with libp2p TLS: the builder, the upgrader and the ALPN muxer path end to end.</summary>
public sealed class TlsNetworkTests
{
    private const string Echo = "/echo/1.0.0";

    [Fact]
    public async Task TlsOnly_PingIdentifyAndEcho()
    {
        await using var a = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Tls));
        await using var b = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Tls));
        using var echo = b.SetStreamHandler(Echo, EchoAsync);
        var connection = await SwarmKit.ConnectAsync(a, b);
        Assert.Equal("/tls/1.0.0", connection.Security);
        Assert.Equal(b.LocalPeer, connection.RemotePeer);
        Assert.True(await PingService.PingAsync(a, b.LocalPeer).WaitAsync(SwarmKit.Wait) > TimeSpan.Zero);

        var payload = RandomNumberGenerator.GetBytes(1024 * 1024);
        await using var stream = await a.NewStreamAsync(b.LocalPeer, [Echo]).WaitAsync(SwarmKit.Wait);
        var writing = Task.Run(async () =>
        {
            await stream.WriteAsync(payload);
            await stream.CloseWriteAsync();
        });
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(SwarmKit.Wait)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        await writing.WaitAsync(SwarmKit.Wait);
        Assert.Equal(payload, received.ToArray());
    }

    /// <summary>
    /// Connections opened and closed as fast as two dialers can, both ends closing while the other
    /// still reads. With close_notify (SslStream.ShutdownAsync racing the receive loop's read on
    /// the same OpenSSL object) a loop like this corrupted the native heap and killed the process in
    /// about a third of 2-second runs; a crash here takes the test host down with it.
    /// </summary>
    [Fact]
    public async Task ManyConnectionsClosedWhileReading_DoNotCorruptTheProcess()
    {
        const int PerDialer = 150;
        static NetworkBuilder Tls(NetworkBuilder b) => b.WithSecurity(SecurityProtocol.Tls)
            .WithLimits(new ConnectionLimits { InboundPerIpPerSecond = 0, MaxPendingInbound = 256 })
            .WithResourceLimits(l => l with
            {
                Ip4Address = l.Ip4Address with { InboundConnections = 256, PendingConnections = 256 },
                Transient = l.Transient with { PendingConnections = 256 },
            });
        await using var server = await SwarmKit.StartAsync(Tls);
        await using var first = await SwarmKit.StartAsync(Tls, listen: false);
        await using var second = await SwarmKit.StartAsync(Tls, listen: false);

        async Task<int> DialAndCloseAsync(INetwork dialer)
        {
            SwarmKit.Introduce(dialer, server);
            for (int i = 0; i < PerDialer; i++)
            {
                var connection = await dialer.DialPeerAsync(server.LocalPeer).WaitAsync(SwarmKit.Wait);
                await connection.CloseAsync().WaitAsync(SwarmKit.Wait);
            }

            return PerDialer;
        }

        var done = await Task.WhenAll(Task.Run(() => DialAndCloseAsync(first)), Task.Run(() => DialAndCloseAsync(second)));

        Assert.Equal(2 * PerDialer, done.Sum());
        Assert.True(await PingService.PingAsync(first, server.LocalPeer).WaitAsync(SwarmKit.Wait) > TimeSpan.Zero);
    }

    /// <summary>
    /// The interop checks' load between two rxnet nodes over TLS, in rounds on one connection: an
    /// 8 MiB echo, then 200 concurrent echo streams of 4 KiB. Every byte must come back, without a
    /// stall, whichever side's reads and writes interleave with SslStream's.
    /// </summary>
    [Fact]
    public async Task BigEchoThenManyConcurrentStreams_AllComeBack()
    {
        const int Rounds = 3;
        await using var a = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Tls));
        await using var b = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Tls));
        using var echo = b.SetStreamHandler(Echo, EchoAsync);
        await SwarmKit.ConnectAsync(a, b);
        var big = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var small = RandomNumberGenerator.GetBytes(4096);
        var patience = TimeSpan.FromSeconds(60);
        for (int round = 0; round < Rounds; round++)
        {
            Assert.Equal(big, await EchoOnceAsync(a, b, big).WaitAsync(patience));
            var all = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => EchoOnceAsync(a, b, small)))).WaitAsync(patience);
            Assert.All(all, back => Assert.Equal(small, back));
        }
    }

    [Fact]
    public async Task NoiseAndTls_OfferedInOrder()
    {
        await using var both = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Noise, SecurityProtocol.Tls));
        await using var tlsOnly = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Tls));
        await using var alsoBoth = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Noise, SecurityProtocol.Tls));
        Assert.Equal("/tls/1.0.0", (await SwarmKit.ConnectAsync(both, tlsOnly)).Security);
        Assert.Equal("/noise", (await SwarmKit.ConnectAsync(both, alsoBoth)).Security);
    }

    [Fact]
    public async Task Close_OverTls_DisconnectsBothEnds()
    {
        await using var a = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Tls));
        await using var b = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Tls));
        var connection = await SwarmKit.ConnectAsync(a, b);
        var gone = b.Events.OfType<Disconnected>().FirstAsync().ToTask();
        await connection.CloseAsync().WaitAsync(SwarmKit.Wait);
        await gone.WaitAsync(SwarmKit.Wait);
        Assert.Equal(Connectedness.CanConnect, a.Connectedness(b.LocalPeer));
    }

    /// <summary>Writes <paramref name="payload"/> on a new echo stream while reading what comes back.</summary>
    private static async Task<byte[]> EchoOnceAsync(INetwork from, INetwork to, byte[] payload)
    {
        await using var stream = await from.NewStreamAsync(to.LocalPeer, [Echo]);
        var writing = Task.Run(async () =>
        {
            await stream.WriteAsync(payload);
            await stream.CloseWriteAsync();
        });
        var received = new MemoryStream(payload.Length);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        await writing;
        return received.ToArray();
    }

    private static async Task EchoAsync(IStream stream)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read));
        }

        await stream.CloseWriteAsync();
    }
}
