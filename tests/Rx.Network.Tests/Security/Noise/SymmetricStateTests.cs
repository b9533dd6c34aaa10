using System.Security.Cryptography;
using NSec.Cryptography;
using Rx.Network.Security.Noise;

namespace Rx.Network.Tests.Security.Noise;

public class SymmetricStateTests
{
    /// <summary>Noise §4.3 HKDF, written from its HMAC definition, as the reference.</summary>
    private static (byte[] First, byte[] Second) NoiseHkdf(byte[] chainingKey, byte[] input)
    {
        var temp = HMACSHA256.HashData(chainingKey, input);
        var first = HMACSHA256.HashData(temp, new byte[] { 0x01 });
        var second = HMACSHA256.HashData(temp, first.Append((byte)0x02).ToArray());
        return (first, second);
    }

    [Fact]
    public void Constructor_ShortName_IsPaddedAndLongNameHashed()
    {
        using var exact = new SymmetricState(HandshakeState.ProtocolName);
        Assert.Equal(HandshakeState.ProtocolName.ToArray(), exact.Hash.ToArray());
        Assert.Equal(exact.Hash.ToArray(), exact.ChainingKey.ToArray());

        using var shorter = new SymmetricState("Noise"u8);
        Assert.Equal([.. "Noise"u8.ToArray(), .. new byte[27]], shorter.Hash.ToArray());

        var longName = "Noise_XXpsk3_25519_ChaChaPoly_BLAKE2s"u8.ToArray();
        using var hashed = new SymmetricState(longName);
        Assert.Equal(SHA256.HashData(longName), hashed.Hash.ToArray());
    }

    [Fact]
    public void MixHash_IsSha256OfHashAndData()
    {
        using var state = new SymmetricState(HandshakeState.ProtocolName);
        var before = state.Hash.ToArray();
        state.MixHash([1, 2, 3]);
        Assert.Equal(SHA256.HashData([.. before, 1, 2, 3]), state.Hash.ToArray());
    }

    [Fact]
    public void MixKey_MatchesNoiseHmacDefinition()
    {
        using var state = new SymmetricState(HandshakeState.ProtocolName);
        var ck = state.ChainingKey.ToArray();
        var input = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        state.MixKey(input);
        var (first, _) = NoiseHkdf(ck, input);
        Assert.Equal(first, state.ChainingKey.ToArray());
        Assert.True(state.Cipher.HasKey);
    }

    [Fact]
    public void EncryptAndHash_ThenDecryptAndHash_KeepsBothSidesInStep()
    {
        using var alice = new SymmetricState(HandshakeState.ProtocolName);
        using var bob = new SymmetricState(HandshakeState.ProtocolName);
        alice.MixKey(new byte[32]);
        bob.MixKey(new byte[32]);
        var ciphertext = new byte[5 + 16];
        alice.EncryptAndHash("hello"u8, ciphertext);
        var plaintext = new byte[21];
        Assert.True(bob.TryDecryptAndHash(ciphertext, plaintext, out int written));
        Assert.Equal("hello"u8.ToArray(), plaintext[..written]);
        Assert.Equal(alice.Hash.ToArray(), bob.Hash.ToArray());

        ciphertext[0] ^= 1;
        var hashBefore = bob.Hash.ToArray();
        Assert.False(bob.TryDecryptAndHash(ciphertext, plaintext, out _));
        Assert.Equal(hashBefore, bob.Hash.ToArray());
    }

    [Fact]
    public void Split_DerivesBothDirectionsFromNoiseHkdf()
    {
        using var state = new SymmetricState(HandshakeState.ProtocolName);
        state.MixKey(new byte[32]);
        var ck = state.ChainingKey.ToArray();
        var (c1, c2) = state.Split();
        var (k1, k2) = NoiseHkdf(ck, []);
        using var r1 = new CipherState();
        using var r2 = new CipherState();
        r1.InitializeKey(k1);
        r2.InitializeKey(k2);

        var expected = new byte[16];
        var actual = new byte[16];
        r1.Encrypt([], [], expected);
        c1.Encrypt([], [], actual);
        Assert.Equal(expected, actual);
        r2.Encrypt([], [], expected);
        c2.Encrypt([], [], actual);
        Assert.Equal(expected, actual);
        c1.Dispose();
        c2.Dispose();
    }
}
