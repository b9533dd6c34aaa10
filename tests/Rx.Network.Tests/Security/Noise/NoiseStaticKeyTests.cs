using Rx.Network.Identity;
using Rx.Network.Security.Noise;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security.Noise;

public class NoiseStaticKeyTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Constructor_ChecksArguments()
    {
        Assert.Throws<ArgumentNullException>(() => new NoiseStaticKey(null!));
        using var identity = PrivateKey.Generate();
        var key = new NoiseStaticKey(identity);
        Assert.Same(identity, key.Identity);
        Assert.Equal(32, key.PublicKey.Length);
        var pipe = DuplexPipe.CreatePair().A;
        Assert.Throws<ArgumentNullException>(() => { _ = NoiseHandshake.InitiateAsync(pipe, (NoiseStaticKey)null!, null, [], TimeProvider.System, TestTimeout, default); });
        Assert.Throws<ArgumentNullException>(() => { _ = NoiseHandshake.RespondAsync(pipe, (NoiseStaticKey)null!, [], TimeProvider.System, TestTimeout, default); });
        Assert.Throws<ArgumentException>(() => { _ = NoiseHandshake.RespondAsync(pipe, key, [new string('m', 70000)], TimeProvider.System, TestTimeout, default); });
    }

    [Fact]
    public void GetPayload_SignsOncePerMuxerList()
    {
        using var identity = PrivateKey.Generate();
        var key = new NoiseStaticKey(identity);

        var first = key.GetPayload(["/yamux/1.0.0"]);
        Assert.Same(first, key.GetPayload(new List<string> { "/yamux/1.0.0" }));
        var other = key.GetPayload(["/mplex/6.7.0", "/yamux/1.0.0"]);
        Assert.NotSame(first, other);
        Assert.NotSame(other, key.GetPayload([]));

        // Each payload is a valid signature of this key's static key by the identity.
        var remote = NoiseHandshake.VerifyPayload(other, key.PublicKey);
        Assert.Equal(PeerId.FromPublicKey(identity.PublicKey), remote.Peer);
        Assert.Equal(["/mplex/6.7.0", "/yamux/1.0.0"], remote.Muxers);
        Assert.Throws<HandshakeException>(() => NoiseHandshake.VerifyPayload(other, new NoiseStaticKey(identity).PublicKey));
    }

    [Fact]
    public async Task Handshakes_ReuseTheStaticKeyWithFreshSessionKeys()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var aliceKey = new NoiseStaticKey(alice);
        var bobKey = new NoiseStaticKey(bob);
        var hashes = new List<byte[]>();
        for (int i = 0; i < 2; i++)
        {
            var (left, right) = DuplexPipe.CreatePair();
            var respond = NoiseHandshake.RespondAsync(right, bobKey, ["/yamux/1.0.0"], TimeProvider.System, TestTimeout, default);
            using var initiated = await NoiseHandshake.InitiateAsync(left, aliceKey, PeerId.FromPublicKey(bob.PublicKey), ["/yamux/1.0.0"], TimeProvider.System, TestTimeout, default).WaitAsync(TestTimeout);
            using var responded = await respond.WaitAsync(TestTimeout);

            Assert.Equal(PeerId.FromPublicKey(alice.PublicKey), responded.RemotePeer);
            Assert.Equal("/yamux/1.0.0", initiated.EarlyMuxer);
            Assert.Equal(initiated.HandshakeHash, responded.HandshakeHash);
            hashes.Add(initiated.HandshakeHash);
        }

        // Same static keys, yet each session is its own: the ephemeral keys stay per handshake.
        Assert.NotEqual(hashes[0], hashes[1]);
    }
}
