using System.Buffers.Binary;
using NSec.Cryptography;
using Rx.Network.Errors;

namespace Rx.Network.Security.Noise;

/// <summary>
/// A Noise <c>CipherState</c> for <c>ChaChaPoly</c>: a key and a 64-bit message counter
/// (<see href="https://noiseprotocol.org/noise.html#the-cipherstate-object">Noise rev 34, §5.1</see>).
/// </summary>
/// <remarks>
/// <para>Encryption and decryption write into caller buffers and allocate nothing, because after
/// the handshake every transport frame passes through here.</para>
/// <para>The key lives in an NSec <see cref="Key"/>, whose memory is wiped when the key is
/// disposed; <see cref="Dispose"/> (or re-keying) does that. Not thread-safe: one direction of a
/// connection has one cipher state used by one loop.</para>
/// </remarks>
internal sealed class CipherState : IDisposable
{
    /// <summary>Key length in bytes (Noise §4.2, ChaChaPoly).</summary>
    public const int KeySize = 32;

    /// <summary>AEAD tag length in bytes appended to every ciphertext (Noise §5.1).</summary>
    public const int TagSize = 16;

    /// <summary>ChaCha20-Poly1305 IETF nonce: 4 zero bytes then the counter, little-endian (Noise §12.3).</summary>
    private const int NonceSize = 12;

    private static readonly AeadAlgorithm Aead = AeadAlgorithm.ChaCha20Poly1305;

    private Key? key;

    /// <summary>Whether a key has been set; without one, Noise passes payloads through in clear.</summary>
    public bool HasKey => key is not null;

    /// <summary>
    /// The next nonce. 2^64-1 is reserved (Noise §5.1): reaching it means the connection has
    /// carried all the messages it safely can and must close.
    /// </summary>
    public ulong Nonce { get; private set; }

    /// <summary>Sets the key and resets the nonce (Noise <c>InitializeKey</c>); the previous key is wiped.</summary>
    /// <param name="keyBytes">Exactly <see cref="KeySize"/> bytes.</param>
    public void InitializeKey(ReadOnlySpan<byte> keyBytes)
    {
        if (keyBytes.Length != KeySize)
        {
            throw new ArgumentException($"A ChaChaPoly key is {KeySize} bytes.", nameof(keyBytes));
        }

        key?.Dispose();
        key = Key.Import(Aead, keyBytes, KeyBlobFormat.RawSymmetricKey);
        Nonce = 0;
    }

    /// <summary>Test hook: moves the counter, to exercise nonce exhaustion without 2^64 messages.</summary>
    /// <param name="nonce">The next nonce to use.</param>
    internal void SetNonce(ulong nonce) => Nonce = nonce;

    /// <summary>
    /// Noise <c>EncryptWithAd</c>: encrypts <paramref name="plaintext"/> into
    /// <paramref name="ciphertext"/> (plaintext plus a <see cref="TagSize"/>-byte tag), or copies it
    /// through when there is no key yet.
    /// </summary>
    /// <param name="associatedData">Authenticated, not encrypted (the handshake hash during the handshake).</param>
    /// <param name="plaintext">The bytes to protect.</param>
    /// <param name="ciphertext">The destination; may start at the same address as <paramref name="plaintext"/>, must not otherwise overlap it.</param>
    /// <returns>The bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="ciphertext"/> is too small.</exception>
    /// <exception cref="InvalidOperationException">The nonce space is exhausted; the connection must close.</exception>
    public int Encrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        if (key is null)
        {
            plaintext.CopyTo(ciphertext);
            return plaintext.Length;
        }

        int length = plaintext.Length + TagSize;
        if (ciphertext.Length < length)
        {
            throw new ArgumentException("The destination is too small for the ciphertext.", nameof(ciphertext));
        }

        Span<byte> nonce = stackalloc byte[NonceSize];
        TakeNonce(nonce);
        Aead.Encrypt(key, nonce, associatedData, plaintext, ciphertext[..length]);
        return length;
    }

    /// <summary>
    /// Noise <c>DecryptWithAd</c>: authenticates and decrypts <paramref name="ciphertext"/> into
    /// <paramref name="plaintext"/>, or copies it through when there is no key yet.
    /// </summary>
    /// <param name="associatedData">The associated data the sender used.</param>
    /// <param name="ciphertext">The ciphertext with its tag.</param>
    /// <param name="plaintext">The destination (at least <c>ciphertext.Length - 16</c> bytes); may start at the same address as <paramref name="ciphertext"/>.</param>
    /// <param name="written">The plaintext length on success.</param>
    /// <returns><see langword="false"/> when the ciphertext is shorter than a tag or fails authentication; the nonce is then not advanced.</returns>
    /// <exception cref="ArgumentException"><paramref name="plaintext"/> is too small.</exception>
    /// <exception cref="InvalidOperationException">The nonce space is exhausted; the connection must close.</exception>
    public bool TryDecrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, out int written)
    {
        if (key is null)
        {
            ciphertext.CopyTo(plaintext);
            written = ciphertext.Length;
            return true;
        }

        written = 0;
        if (ciphertext.Length < TagSize)
        {
            return false;
        }

        int length = ciphertext.Length - TagSize;
        if (plaintext.Length < length)
        {
            throw new ArgumentException("The destination is too small for the plaintext.", nameof(plaintext));
        }

        ThrowIfExhausted();
        Span<byte> nonce = stackalloc byte[NonceSize];
        WriteNonce(nonce, Nonce);
        if (!Aead.Decrypt(key, nonce, associatedData, ciphertext, plaintext[..length]))
        {
            return false;
        }

        Nonce++;
        written = length;
        return true;
    }

    /// <summary>Wipes the key.</summary>
    public void Dispose()
    {
        key?.Dispose();
        key = null;
    }

    private void TakeNonce(Span<byte> nonce)
    {
        ThrowIfExhausted();
        WriteNonce(nonce, Nonce);
        Nonce++;
    }

    private void ThrowIfExhausted()
    {
        if (Nonce == ulong.MaxValue)
        {
            throw Error.NonceExhausted();
        }
    }

    private static void WriteNonce(Span<byte> nonce, ulong counter)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], counter);
    }
}
