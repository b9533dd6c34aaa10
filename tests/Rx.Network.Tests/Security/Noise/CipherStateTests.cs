using System.Buffers.Binary;
using CsCheck;
using Rx.Network.Security.Noise;
using SystemChaCha = System.Security.Cryptography.ChaCha20Poly1305;

namespace Rx.Network.Tests.Security.Noise;

public class CipherStateTests
{
    private static readonly byte[] KeyBytes = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static CipherState Keyed()
    {
        var state = new CipherState();
        state.InitializeKey(KeyBytes);
        return state;
    }

    [Fact]
    public void Encrypt_WithoutKey_PassesThrough()
    {
        using var state = new CipherState();
        Assert.False(state.HasKey);
        var output = new byte[3];
        Assert.Equal(3, state.Encrypt([9], [1, 2, 3], output));
        Assert.Equal([1, 2, 3], output);
        Assert.True(state.TryDecrypt([9], [4, 5], output, out int written));
        Assert.Equal(2, written);
        Assert.Equal(0UL, state.Nonce);
    }

    [Fact]
    public void Encrypt_UsesLittleEndianCounterInLastEightNonceBytes()
    {
        // Noise §12.3: 32 bits of zeros followed by the little-endian 64-bit nonce; checked
        // against the framework's independent ChaCha20-Poly1305.
        using var state = Keyed();
        state.SetNonce(0x0102030405060708);
        var plaintext = "frame"u8.ToArray();
        var ad = "ad"u8.ToArray();
        var ciphertext = new byte[plaintext.Length + CipherState.TagSize];
        state.Encrypt(ad, plaintext, ciphertext);
        Assert.Equal(0x0102030405060709UL, state.Nonce);

        if (!SystemChaCha.IsSupported)
        {
            return;
        }

        var nonce = new byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), 0x0102030405060708);
        using var reference = new SystemChaCha(KeyBytes);
        var expected = new byte[plaintext.Length];
        var tag = new byte[16];
        reference.Encrypt(nonce, plaintext, expected, tag, ad);
        Assert.Equal([.. expected, .. tag], ciphertext);
    }

    [Fact]
    public void RoundTrip_Property()
    {
        Gen.Select(Gen.Byte.Array[0, 2000], Gen.Byte.Array[0, 40]).Sample((plaintext, ad) =>
        {
            using var sender = Keyed();
            using var receiver = Keyed();
            var ciphertext = new byte[plaintext.Length + CipherState.TagSize];
            Assert.Equal(ciphertext.Length, sender.Encrypt(ad, plaintext, ciphertext));
            var decrypted = new byte[plaintext.Length];
            Assert.True(receiver.TryDecrypt(ad, ciphertext, decrypted, out int written));
            Assert.Equal(plaintext.Length, written);
            Assert.Equal(plaintext, decrypted);
            Assert.Equal(1UL, receiver.Nonce);
        }, iter: 200);
    }

    [Fact]
    public void TryDecrypt_TamperedOrShort_ReturnsFalseWithoutAdvancing()
    {
        using var sender = Keyed();
        using var receiver = Keyed();
        var ciphertext = new byte[4 + CipherState.TagSize];
        sender.Encrypt([], [1, 2, 3, 4], ciphertext);
        var output = new byte[ciphertext.Length];
        for (int i = 0; i < ciphertext.Length; i++)
        {
            var tampered = (byte[])ciphertext.Clone();
            tampered[i] ^= 0x01;
            Assert.False(receiver.TryDecrypt([], tampered, output, out _));
        }

        Assert.False(receiver.TryDecrypt([1], ciphertext, output, out _)); // other associated data
        Assert.False(receiver.TryDecrypt([], new byte[15], output, out _));
        Assert.Equal(0UL, receiver.Nonce);
        Assert.True(receiver.TryDecrypt([], ciphertext, output, out _));
    }

    [Fact]
    public void Encrypt_NonceExhausted_Throws()
    {
        using var state = Keyed();
        var buffer = new byte[CipherState.TagSize];
        state.SetNonce(ulong.MaxValue - 1);
        state.Encrypt([], [], buffer); // 2^64-2 is the last usable nonce
        Assert.Equal(ulong.MaxValue, state.Nonce);
        Assert.Throws<InvalidOperationException>(() => state.Encrypt([], [], buffer));
        Assert.Throws<InvalidOperationException>(() => state.TryDecrypt([], buffer, buffer, out _));
    }

    [Fact]
    public void InitializeKey_ResetsNonceAndRejectsWrongLength()
    {
        using var state = Keyed();
        state.SetNonce(5);
        state.InitializeKey(KeyBytes);
        Assert.Equal(0UL, state.Nonce);
        Assert.Throws<ArgumentException>(() => state.InitializeKey(new byte[31]));
    }

    [Fact]
    public void Buffers_TooSmall_ThrowArgumentException()
    {
        using var state = Keyed();
        Assert.Throws<ArgumentException>(() => state.Encrypt([], [1, 2], new byte[17]));
        Assert.Throws<ArgumentException>(() => state.TryDecrypt([], new byte[20], new byte[3], out _));
    }

    [Fact]
    public void EncryptDecrypt_InPlace_Works()
    {
        using var sender = Keyed();
        using var receiver = Keyed();
        var buffer = new byte[10 + CipherState.TagSize];
        "0123456789"u8.CopyTo(buffer);
        sender.Encrypt([], buffer.AsSpan(0, 10), buffer);
        Assert.True(receiver.TryDecrypt([], buffer, buffer, out int written));
        Assert.Equal("0123456789"u8.ToArray(), buffer[..written]);
    }

    [Fact]
    public void Implementations_Platform_And_NSec_Interoperate_Property()
    {
        // The platform AEAD is the default where supported; NSec is the fallback. Both must produce
        // the same bytes, reject the same forgeries, and work in place.
        if (!SystemChaCha.IsSupported)
        {
            return;
        }

        Gen.Select(Gen.Byte.Array[0, 3000], Gen.Byte.Array[0, 40], Gen.Bool).Sample((plaintext, ad, platformSends) =>
        {
            using var sender = new CipherState(usePlatform: platformSends);
            using var receiver = new CipherState(usePlatform: !platformSends);
            using var twin = new CipherState(usePlatform: !platformSends);
            sender.InitializeKey(KeyBytes);
            receiver.InitializeKey(KeyBytes);
            twin.InitializeKey(KeyBytes);
            var ciphertext = new byte[plaintext.Length + CipherState.TagSize];
            var same = new byte[ciphertext.Length];
            sender.Encrypt(ad, plaintext, ciphertext);
            twin.Encrypt(ad, plaintext, same);
            Assert.Equal(same, ciphertext);

            var buffer = (byte[])ciphertext.Clone();
            Assert.True(receiver.TryDecrypt(ad, buffer, buffer, out int written));
            Assert.Equal(plaintext, buffer[..written]);

            if (ciphertext.Length > 0)
            {
                ciphertext[^1] ^= 0x80;
                Assert.False(receiver.TryDecrypt(ad, ciphertext, new byte[ciphertext.Length], out _));
                Assert.Equal(1UL, receiver.Nonce);
            }
        }, iter: 200);
    }

    [Fact]
    public void Dispose_Platform_ForgetsKey()
    {
        var state = new CipherState(usePlatform: SystemChaCha.IsSupported);
        state.InitializeKey(KeyBytes);
        Assert.True(state.HasKey);
        state.Dispose();
        Assert.False(state.HasKey);
    }
}
