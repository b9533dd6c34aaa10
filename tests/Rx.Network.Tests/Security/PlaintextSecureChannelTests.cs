using Rx.Network.Identity;
using Rx.Network.Security;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security;

/// <summary>The secure-channel contract over the pass-through codec on in-memory pipes.</summary>
public sealed class PlaintextSecureChannelTests : SecureChannelConformance
{
    private static readonly PublicKey KeyA = PrivateKey.FromSeed(new byte[32]).PublicKey;
    private static readonly PublicKey KeyB = PrivateKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray()).PublicKey;
    private static readonly PeerId PeerA = PeerId.FromPublicKey(KeyA);
    private static readonly PeerId PeerB = PeerId.FromPublicKey(KeyB);

    internal override Task<(ISecureChannel A, ISecureChannel B)> CreatePairAsync(SecureChannelOptions? options = null)
    {
        var (pa, pb) = DuplexPipe.CreatePair();
        ISecureChannel a = new SecureChannel(pa, PassThroughCodec.Instance, PassThroughCodec.Instance, new SecureSession(PeerA, PeerB, KeyB, "/plaintext/2.0.0", null), TaskScheduler.Default, options);
        ISecureChannel b = new SecureChannel(pb, PassThroughCodec.Instance, PassThroughCodec.Instance, new SecureSession(PeerB, PeerA, KeyA, "/plaintext/2.0.0", null), TaskScheduler.Default, options);
        return Task.FromResult((a, b));
    }
}
