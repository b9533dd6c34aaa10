using System.Buffers.Binary;
using System.Security.Cryptography;
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
/// <para>The AEAD is <see cref="System.Security.Cryptography.ChaCha20Poly1305"/> (the platform's
/// OpenSSL) wherever it is supported, because it measured 2.1 × faster than NSec's libsodium here
/// (1.5 → 3.3 GB/s per direction for 64 KiB frames, docs/benchmarks.md); NSec's implementation is
/// the fallback. Either way the key lives in native memory that is wiped on <see cref="Dispose"/>
/// (or re-keying). Not thread-safe: one direction of a connection has one cipher state used by
/// one loop.</para>
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

    private readonly bool usePlatform;

    private System.Security.Cryptography.ChaCha20Poly1305? platformKey;

    private Key? key;

    /// <summary>Creates a cipher state without a key, on the platform's AEAD when it has one.</summary>
    public CipherState()
        : this(System.Security.Cryptography.ChaCha20Poly1305.IsSupported)
    {
    }

    /// <summary>Creates a cipher state without a key, choosing the implementation (tests run both).</summary>
    /// <param name="usePlatform">
    /// <see langword="true"/> for <see cref="System.Security.Cryptography.ChaCha20Poly1305"/> (must be supported),
    /// <see langword="false"/> for NSec's.
    /// </param>
    internal CipherState(bool usePlatform) => this.usePlatform = usePlatform;

    /// <summary>Whether a key has been set; without one, Noise passes payloads through in clear.</summary>
    public bool HasKey => key is not null || platformKey is not null;

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

        Dispose();
        if (usePlatform)
        {
            platformKey = new System.Security.Cryptography.ChaCha20Poly1305(keyBytes);
        }
        else
        {
            key = Key.Import(Aead, keyBytes, KeyBlobFormat.RawSymmetricKey);
        }

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
        if (!HasKey)
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
        if (platformKey is not null)
        {
            platformKey.Encrypt(nonce, plaintext, ciphertext[..plaintext.Length], ciphertext.Slice(plaintext.Length, TagSize), associatedData);
        }
        else
        {
            Aead.Encrypt(key!, nonce, associatedData, plaintext, ciphertext[..length]);
        }

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
        if (!HasKey)
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
        if (!Open(nonce, associatedData, ciphertext, plaintext[..length]))
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
        platformKey?.Dispose();
        platformKey = null;
    }

    private bool Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (platformKey is null)
        {
            return Aead.Decrypt(key!, nonce, associatedData, ciphertext, plaintext);
        }

        try
        {
            platformKey.Decrypt(nonce, ciphertext[..plaintext.Length], ciphertext[plaintext.Length..], plaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // Only a forged or corrupted frame pays for the exception; it ends the connection anyway.
            return false;
        }
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
