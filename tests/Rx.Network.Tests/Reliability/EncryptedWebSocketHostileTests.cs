using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography;
using Rx.Network.Identity;
using Rx.Network.Negotiation;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Rx.Network.Security.Tls;
using Rx.Network.Swarm;
using Rx.Network.Tests.Security.Tls;
using Rx.Network.Tests.Swarm;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Reliability;

/// <summary>
/// Hostile input on /ws connections past the upgrade: on a connection an honest client
/// established (security handshake and muxer done), garbage WebSocket frames, a text frame and a
/// forged encrypted record close that connection only, with a <see cref="WireProtocolViolationException"/>
/// in its <see cref="Disconnected"/> event; and over /ws, libp2p TLS refuses a certificate without
/// the libp2p extension or with a forged signature as it does over TCP. Another client's
/// connection to the same listener stays up throughout.
/// </summary>
[Collection(ReliabilityGroup.Name)]
public sealed class EncryptedWebSocketHostileTests
{
    public enum Attack
    {
        /// <summary>Reserved bits set and an unknown opcode.</summary>
        GarbageFrame,

        /// <summary>A well-formed text frame: libp2p carries binary frames only.</summary>
        TextFrame,

        /// <summary>A binary frame holding a whole record or frame of the security protocol that fails authentication.</summary>
        ForgedRecord,
    }

    [Theory]
    [InlineData(SecurityProtocol.Noise, Attack.GarbageFrame)]
    [InlineData(SecurityProtocol.Noise, Attack.TextFrame)]
    [InlineData(SecurityProtocol.Noise, Attack.ForgedRecord)]
    [InlineData(SecurityProtocol.Tls, Attack.GarbageFrame)]
    [InlineData(SecurityProtocol.Tls, Attack.TextFrame)]
    [InlineData(SecurityProtocol.Tls, Attack.ForgedRecord)]
    public async Task OnAnEstablishedConnection_ClosesOnlyThatConnection_WithAnEvent(SecurityProtocol security, Attack attack)
    {
        await using var server = await StartWsAsync(security);
        await using var bystander = await SwarmKit.StartAsync(b => b.WithSecurity(security), listen: false);
        var kept = await SwarmKit.ConnectAsync(bystander, server);

        await using var proxy = new WebSocketFrameProxy(server.ListenAddresses[0]);
        await using var victim = await SwarmKit.StartAsync(b => b.WithSecurity(security), listen: false);
        victim.Peerstore.AddAddresses(server.LocalPeer, [proxy.Address], AddressTtl.Permanent);
        var attacked = await victim.DialPeerAsync(server.LocalPeer).WaitAsync(SwarmKit.Wait);
        Assert.Equal(security == SecurityProtocol.Tls ? TlsSecurity.Id : "/noise", attacked.Security);
        Assert.True(await PingService.PingAsync(victim, server.LocalPeer).WaitAsync(SwarmKit.Wait) > TimeSpan.Zero);

        var dropped = server.Events.OfType<Disconnected>().FirstAsync(e => e.Connection.RemotePeer == victim.LocalPeer).ToTask();
        await proxy.InjectAsync(Bytes(security, attack));

        var error = (await dropped.WaitAsync(SwarmKit.Wait)).Error;
        Assert.NotNull(error);
        Assert.Contains(Chain(error), e => e is WireProtocolViolationException);

        // Only that connection: the bystander's is untouched and still carries streams.
        Assert.False(kept.Completion.IsCompleted);
        Assert.Equal(Connectedness.Connected, bystander.Connectedness(server.LocalPeer));
        Assert.True(await PingService.PingAsync(bystander, server.LocalPeer).WaitAsync(SwarmKit.Wait) > TimeSpan.Zero);
    }

    [Theory]
    [InlineData(HostileTlsPeerTests.Attack.NoExtension, CertificateFailure.MissingExtension)]
    [InlineData(HostileTlsPeerTests.Attack.ForgedSignature, CertificateFailure.InvalidKeySignature)]
    public async Task TlsOverWs_BadCertificate_ClosesOnlyThatConnection_WithAnEvent(HostileTlsPeerTests.Attack attack, CertificateFailure rule)
    {
        await using var server = await StartWsAsync(SecurityProtocol.Tls);
        await using var bystander = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Tls), listen: false);
        var kept = await SwarmKit.ConnectAsync(bystander, server);
        var failed = server.Events.OfType<InboundUpgradeFailed>().FirstAsync().ToTask();

        using var identity = PrivateKey.Generate();
        using var forger = PrivateKey.Generate();
        using var certificate = attack == HostileTlsPeerTests.Attack.NoExtension
            ? TlsTestKit.Certificate(identity: null)
            : TlsTestKit.Certificate(identity, signer: forger);
        var transport = new WebSocketTransport();
        await using (var raw = await transport.DialAsync(server.ListenAddresses[0]).WaitAsync(SwarmKit.Wait))
        {
            Assert.Equal(TlsSecurity.Id, await MultistreamSelect.SelectAsync(raw.Pipe, [TlsSecurity.Id]).WaitAsync(SwarmKit.Wait));
            await Record.ExceptionAsync(async () => await (await TlsTestKit.ClientAsync(raw.Pipe, certificate, HostilePeer.Yamux, TlsSecurity.Alpn)).DisposeAsync());

            var error = (await failed.WaitAsync(SwarmKit.Wait)).Error;
            Assert.Equal(rule, Assert.IsType<CertificateRejectedException>(error).Failure);
        }

        Assert.False(kept.Completion.IsCompleted);
        Assert.True(await PingService.PingAsync(bystander, server.LocalPeer).WaitAsync(SwarmKit.Wait) > TimeSpan.Zero);
    }

    private static Task<INetwork> StartWsAsync(SecurityProtocol security) =>
        SwarmKit.StartAsync(b => b.ListenOn("/ip4/127.0.0.1/tcp/0/ws").WithSecurity(security), listen: false);

    private static byte[] Bytes(SecurityProtocol security, Attack attack)
    {
        switch (attack)
        {
            case Attack.GarbageFrame:
                var garbage = new byte[64];
                new Random(7).NextBytes(garbage);
                garbage[0] = 0xF3;
                return garbage;
            case Attack.TextFrame:
                return WebSocketFrameProxy.MaskedFrame(0x1, "/multistream/1.0.0\n"u8.ToArray());
            default:
                // A complete unit of the security protocol whose authentication must fail: a Noise
                // frame (2-byte length, then ciphertext and tag), or a TLS 1.3 application_data record.
                var body = RandomNumberGenerator.GetBytes(48);
                byte[] header = security == SecurityProtocol.Tls ? [23, 3, 3, 0, (byte)body.Length] : [0, (byte)body.Length];
                return WebSocketFrameProxy.MaskedFrame(0x2, [.. header, .. body]);
        }
    }

    private static IEnumerable<Exception> Chain(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
