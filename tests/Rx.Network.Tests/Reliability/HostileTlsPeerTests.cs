using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Identity;
using Rx.Network.Security.Tls;
using Rx.Network.Swarm;
using Rx.Network.Tests.Security.Tls;
using Rx.Network.Tests.Swarm;

namespace Rx.Network.Tests.Reliability;

/// <summary>
/// Strangers that break libp2p TLS's rules against a listening TLS network over TCP loopback: each
/// is refused with the rule it broke, in an <see cref="InboundUpgradeFailed"/> event, only its own
/// connection closes, and the listener goes on serving honest peers.
/// </summary>
[Collection(ReliabilityGroup.Name)]
public sealed class HostileTlsPeerTests
{
    public enum Attack
    {
        NoExtension,
        ForgedSignature,
        NoCertificate,
        Garbage,
    }

    [Theory]
    [InlineData(Attack.NoExtension)]
    [InlineData(Attack.ForgedSignature)]
    [InlineData(Attack.NoCertificate)]
    [InlineData(Attack.Garbage)]
    public async Task BadHandshake_ClosesOnlyThatConnection_WithAnEvent(Attack attack)
    {
        await using var listener = await SwarmKit.StartAsync(b => b
            .WithSecurity(SecurityProtocol.Tls)
            .WithOptions(o => o with { Upgrade = new UpgradeOptions { Timeout = TimeSpan.FromSeconds(5) } }));
        await using var honest = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Tls), listen: false);
        var existing = await SwarmKit.ConnectAsync(honest, listener);

        var failed = listener.Events.OfType<InboundUpgradeFailed>().FirstAsync().ToTask();
        using var identity = PrivateKey.Generate();
        using var forger = PrivateKey.Generate();
        await using (var peer = await HostilePeer.ConnectAsync(listener.ListenAddresses[0]))
        {
            await peer.NegotiateAsync(TlsSecurity.Id);
            if (attack == Attack.Garbage)
            {
                // A TLS record header announcing a handshake record, then junk.
                await peer.TrySendAsync(new byte[] { 22, 3, 1, 0, 200 }.Concat(new byte[200]).ToArray());
            }
            else
            {
                using var certificate = attack switch
                {
                    Attack.NoExtension => TlsTestKit.Certificate(identity: null),
                    Attack.ForgedSignature => TlsTestKit.Certificate(identity, signer: forger),
                    _ => null,
                };
                await Record.ExceptionAsync(async () => await (await TlsTestKit.ClientAsync(peer.Pipe, certificate, HostilePeer.Yamux, TlsSecurity.Alpn)).DisposeAsync());
            }

            var error = (await failed.WaitAsync(SwarmKit.Wait)).Error;
            var expected = attack switch
            {
                Attack.NoExtension => CertificateFailure.MissingExtension,
                Attack.ForgedSignature => CertificateFailure.InvalidKeySignature,
                Attack.NoCertificate => CertificateFailure.NoCertificate,
                _ => (CertificateFailure?)null,
            };
            if (expected is { } rule)
            {
                Assert.Equal(rule, Assert.IsType<CertificateRejectedException>(error).Failure);
            }
            else
            {
                Assert.IsAssignableFrom<HandshakeException>(error);
            }

            await SwarmKit.AwaitClosedAsync(peer.Socket);
        }

        // The connection that was there before is untouched, and a new honest one works.
        Assert.Equal(Connectedness.Connected, honest.Connectedness(listener.LocalPeer));
        Assert.True(await Rx.Network.Protocols.PingService.PingAsync(honest, listener.LocalPeer).WaitAsync(SwarmKit.Wait) > TimeSpan.Zero);
        Assert.False(existing.Completion.IsCompleted);
        await using var another = await SwarmKit.StartAsync(b => b.WithSecurity(SecurityProtocol.Tls), listen: false);
        Assert.Equal("/tls/1.0.0", (await SwarmKit.ConnectAsync(another, listener)).Security);
    }
}
