using NSec.Cryptography;
using Rx.Network.Security.Noise;

namespace Rx.Network.Tests.Security.Noise;

public sealed class X25519DhTests
{
    [Fact]
    public void Rfc7748Vectors_PublicKeysAndSharedSecret()
    {
        // RFC 7748 §6.1.
        var alicePrivate = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        var alicePublic = Convert.FromHexString("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        var bobPrivate = Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        var bobPublic = Convert.FromHexString("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        var shared = Convert.FromHexString("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

        using var alice = X25519KeyPair.FromPrivateKey(alicePrivate);
        using var bob = X25519KeyPair.FromPrivateKey(bobPrivate);
        Assert.Equal(alicePublic, alice.PublicKey.ToArray());
        Assert.Equal(bobPublic, bob.PublicKey.ToArray());

        var k1 = new byte[32];
        var k2 = new byte[32];
        Assert.True(X25519Dh.TryAgree(alice.PrivateKey, bobPublic, k1));
        Assert.True(X25519Dh.TryAgree(bob.PrivateKey, alicePublic, k2));
        Assert.Equal(shared, k1);
        Assert.Equal(shared, k2);
    }

    [Fact]
    public void TryAgree_EqualsNSecsX25519_OnFreshKeys()
    {
        var algorithm = KeyAgreementAlgorithm.X25519;
        var exportable = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        for (int i = 0; i < 20; i++)
        {
            using var nsecKey = Key.Create(algorithm, exportable);
            using var ours = X25519KeyPair.FromPrivateKey(nsecKey.Export(KeyBlobFormat.RawPrivateKey));
            Assert.Equal(nsecKey.PublicKey.Export(KeyBlobFormat.RawPublicKey), ours.PublicKey.ToArray());

            using var remote = X25519KeyPair.Create();
            var remotePublic = PublicKey.Import(algorithm, remote.PublicKey, KeyBlobFormat.RawPublicKey);
            using var expected = algorithm.Agree(nsecKey, remotePublic, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })!;
            var actual = new byte[32];
            Assert.True(X25519Dh.TryAgree(ours.PrivateKey, remote.PublicKey, actual));
            Assert.Equal(expected.Export(SharedSecretBlobFormat.RawSharedSecret), actual);
        }
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")]
    public void TryAgree_SmallOrderPoint_IsRefused_AndTheOutputZeroed(string point)
    {
        using var key = X25519KeyPair.Create();
        var output = Enumerable.Repeat((byte)0xAA, 32).ToArray();
        Assert.False(X25519Dh.TryAgree(key.PrivateKey, Convert.FromHexString(point), output));
        Assert.All(output, b => Assert.Equal(0, b));
    }

    [Fact]
    public void WrongSizes_Throw_AndADisposedKeyIsNotUsable()
    {
        var key = X25519KeyPair.Create();
        Assert.Throws<ArgumentException>(() => X25519Dh.TryAgree(key.PrivateKey, new byte[31], new byte[32]));
        Assert.Throws<ArgumentException>(() => X25519Dh.TryAgree(key.PrivateKey, new byte[32], new byte[33]));
        Assert.Throws<ArgumentException>(() => X25519Dh.DerivePublicKey(new byte[32], new byte[16]));
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.PrivateKey.Length);
    }
}
