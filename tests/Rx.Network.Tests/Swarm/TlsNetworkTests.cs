using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography;
using Rx.Network.Protocols;

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
