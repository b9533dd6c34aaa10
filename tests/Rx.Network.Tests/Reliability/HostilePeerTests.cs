using System.Diagnostics;
using Google.Protobuf;
using NSec.Cryptography;
using Rx.Network.Encoding;
using Rx.Network.Encoding.Proto;
using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Negotiation;
using Rx.Network.Peerstore;
using Rx.Network.Security.Noise;
using Rx.Network.Swarm;
using Rx.Network.Tests.Swarm;
using PrivateKey = Rx.Network.Identity.PrivateKey;

namespace Rx.Network.Tests.Reliability;

/// <summary>
/// Hostile peers over real TCP loopback against a listening network. After each attack the
/// listener still serves an honest peer, and its connections, file descriptors and heap return to
/// the baseline measured before it.
/// </summary>
[Collection(ReliabilityGroup.Name)]
public sealed partial class HostilePeerTests
{
    private const string Echo = "/echo/1.0.0";
    // Short, so that stalled handshakes are dropped quickly; long enough for the honest peers'
    // upgrades on a loaded machine (at 1 s, one was cut off at load 50: the listener reset it).
    private static readonly TimeSpan UpgradeTimeout = TimeSpan.FromSeconds(4);

    public enum HandshakeStep
    {
        InsteadOfHeader,
        InsteadOfProposal,
        InsteadOfFirstNoiseMessage,
        InsteadOfThirdNoiseMessage,
        InsteadOfFirstTransportFrame,
        InsteadOfFirstYamuxFrame,
    }

    [Theory]
    [InlineData(HandshakeStep.InsteadOfHeader)]
    [InlineData(HandshakeStep.InsteadOfProposal)]
    [InlineData(HandshakeStep.InsteadOfFirstNoiseMessage)]
    [InlineData(HandshakeStep.InsteadOfThirdNoiseMessage)]
    [InlineData(HandshakeStep.InsteadOfFirstTransportFrame)]
    [InlineData(HandshakeStep.InsteadOfFirstYamuxFrame)]
    public async Task Garbage_AtEachHandshakeStep_IsDropped_ListenerRecovers(HandshakeStep step)
    {
        await using var target = await Target.StartAsync();
        var garbage = new byte[200];
        new Random((int)step).NextBytes(garbage);

        await using (var peer = await HostilePeer.ConnectAsync(target.Address))
        {
            using var identity = PrivateKey.Generate();
            using var staticKey = X25519KeyPair.Create();
            switch (step)
            {
                case HandshakeStep.InsteadOfHeader:
                    // A length that fits the limit, so the listener reads it and finds no header.
                    garbage[0] = 19;
                    break;
                case HandshakeStep.InsteadOfProposal:
                    await peer.SendAsync(MultistreamMessage.Frame(MultistreamSelect.ProtocolId));
                    garbage[0] = 7;
                    break;
                case HandshakeStep.InsteadOfFirstNoiseMessage:
                    await peer.NegotiateAsync(NoiseHandshake.ProtocolId);
                    garbage = HostilePeer.Framed(garbage.AsSpan(0, 10)); // shorter than an ephemeral key
                    break;
                case HandshakeStep.InsteadOfThirdNoiseMessage:
                    await peer.NegotiateAsync(NoiseHandshake.ProtocolId);
                    using (await peer.StartNoiseAsync(staticKey))
                    {
                        garbage = HostilePeer.Framed(garbage);
                    }

                    break;
                case HandshakeStep.InsteadOfFirstTransportFrame:
                    await peer.UpgradeAsync(identity);
                    garbage = HostilePeer.Framed(garbage);
                    break;
                case HandshakeStep.InsteadOfFirstYamuxFrame:
                    await peer.UpgradeAsync(identity);
                    garbage[0] = 1; // yamux version 1 does not exist
                    Assert.True(await peer.TrySendEncryptedAsync(garbage));
                    garbage = [];
                    break;
            }

            await peer.TrySendAsync(garbage);
            await peer.AwaitClosedAsync();
        }

        await target.AssertRecoveredAsync();
    }

    public static TheoryData<string> OversizedPrefixes => new() { "multistream 2^40", "varint 11 bytes", "noise 65535 then silence", "yamux data 4 GiB", "stream protocol 2^40" };

    [Theory]
    [MemberData(nameof(OversizedPrefixes))]
    public async Task OversizedLengthPrefix_IsRefusedBeforeAllocating_ListenerRecovers(string what)
    {
        await using var target = await Target.StartAsync();
        long heapBefore = ResourceProbe.CollectedHeap();
        await using (var peer = await HostilePeer.ConnectAsync(target.Address))
        {
            using var identity = PrivateKey.Generate();
            switch (what)
            {
                case "multistream 2^40":
                    await peer.TrySendAsync(Varint.Encode(1UL << 40));
                    break;
                case "varint 11 bytes":
                    await peer.TrySendAsync(Enumerable.Repeat((byte)0xff, 11).ToArray());
                    break;
                case "noise 65535 then silence":
                    await peer.NegotiateAsync(NoiseHandshake.ProtocolId);
                    await peer.SendAsync(new byte[] { 0xff, 0xff, 1, 2, 3 });
                    break;
                case "yamux data 4 GiB":
                    await peer.UpgradeAsync(identity);
                    await peer.TrySendFramesAsync((YamuxHeader.Data(1, uint.MaxValue, YamuxFlags.Syn), new byte[100]));
                    var goAway = await peer.ReadUntilAsync(h => h.Type == YamuxFrameType.GoAway);
                    Assert.Equal(YamuxHeader.GoAway((uint)YamuxGoAwayCode.ProtocolError), goAway?.Header);
                    break;
                case "stream protocol 2^40":
                    // Only the stream is reset: the connection lives on.
                    await peer.UpgradeAsync(identity);
                    await peer.SendFramesAsync((YamuxHeader.Data(1, 6, YamuxFlags.Syn), Varint.Encode(1UL << 40)));
                    var reset = await peer.ReadUntilAsync(h => h.StreamId == 1 && h.Flags.HasFlag(YamuxFlags.Rst));
                    Assert.NotNull(reset);
                    await peer.SendFramesAsync((YamuxHeader.Ping(42, response: false), null));
                    Assert.NotNull(await peer.ReadUntilAsync(h => h == YamuxHeader.Ping(42, response: true)));
                    peer.Reset();
                    break;
            }

            if (what != "stream protocol 2^40")
            {
                await peer.AwaitClosedAsync();
            }
        }

        // Nothing near the declared size was ever allocated.
        Assert.True(ResourceProbe.CollectedHeap() < heapBefore + (16 * 1024 * 1024));
        await target.AssertRecoveredAsync();
    }

    [Fact]
    public async Task TruncatedHandshake_PeerLeavesHalfway_ListenerRecovers()
    {
        await using var target = await Target.StartAsync();
        await using (var peer = await HostilePeer.ConnectAsync(target.Address))
        {
            await peer.NegotiateAsync(NoiseHandshake.ProtocolId);
            await peer.SendAsync(new byte[] { 0, 32, 1, 2, 3, 4, 5 }); // half a first message
            peer.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await peer.AwaitClosedAsync();
        }

        await target.AssertRecoveredAsync();
    }

    [Fact]
    public async Task BadSignature_InThirdMessage_IsRejected_NoConnection()
    {
        await using var target = await Target.StartAsync();
        using var events = new EventRecorder(target.Listener);
        using var identity = PrivateKey.Generate();
        using var impostor = PrivateKey.Generate();
        using var staticKey = X25519KeyPair.Create();
        await using (var peer = await HostilePeer.ConnectAsync(target.Address))
        {
            await peer.NegotiateAsync(NoiseHandshake.ProtocolId);
            using var state = await peer.StartNoiseAsync(staticKey);

            // Claims identity's key but the signature over the static key is the impostor's.
            var payload = new NoiseHandshakePayload
            {
                IdentityKey = ByteString.CopyFrom(identity.PublicKey.ToProtobuf()),
                IdentitySig = ByteString.CopyFrom(impostor.Sign([.. NoiseHandshake.SignaturePrefix, .. state.LocalStaticPublicKey])),
            };
            await peer.TrySendThirdAsync(state, payload.ToByteArray());
            await peer.AwaitClosedAsync();
        }

        await target.AssertRecoveredAsync();
        Assert.DoesNotContain(events.Events.OfType<Connected>(), e => e.Connection.RemotePeer == PeerId.FromPublicKey(identity.PublicKey));
    }

    [Fact]
    public async Task WrongPeerId_DialerRejectsTheListener_BothSidesRecover()
    {
        await using var target = await Target.StartAsync();
        await using var dialer = await SwarmKit.StartAsync(listen: false);
        var dialerBaseline = ResourceProbe.Capture();
        using var stranger = PrivateKey.Generate();
        var claimed = PeerId.FromPublicKey(stranger.PublicKey);
        dialer.Peerstore.AddAddresses(claimed, [target.Address], AddressTtl.Permanent);

        var failure = await Assert.ThrowsAsync<DialException>(() => dialer.DialPeerAsync(claimed).WaitAsync(SwarmKit.Wait));
        Assert.Contains(Flatten(failure), e => e is PeerIdMismatchException);
        Assert.Empty(dialer.Connections);
        Assert.Equal(Connectedness.CannotConnect, dialer.Connectedness(claimed));

        await target.AssertRecoveredAsync();
        await dialerBaseline.AssertBackToBaselineAsync(dialer);
    }

    [Fact]
    public async Task SilentAfterNegotiation_IsDroppedAtTheUpgradeTimeout()
    {
        await using var target = await Target.StartAsync();
        await using (var peer = await HostilePeer.ConnectAsync(target.Address))
        {
            await peer.NegotiateAsync(NoiseHandshake.ProtocolId);
            var elapsed = Stopwatch.StartNew();
            await peer.AwaitClosedAsync();
            Assert.True(elapsed.Elapsed >= UpgradeTimeout - TimeSpan.FromMilliseconds(200), $"dropped after {elapsed.Elapsed}");
        }

        await target.AssertRecoveredAsync();
    }

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is DialException dial)
            {
                foreach (var inner in dial.AddressErrors.SelectMany(a => Flatten(a.Value)))
                {
                    yield return inner;
                }
            }

            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
