using System.Security.Cryptography;

namespace Rx.Network.Security.Noise;

/// <summary>
/// A Noise <c>SymmetricState</c> for <c>SHA256</c>: the chaining key, the handshake hash and the
/// cipher state they key (<see href="https://noiseprotocol.org/noise.html#the-symmetricstate-object">Noise rev 34, §5.2</see>).
/// </summary>
/// <remarks>
/// Noise's <c>HKDF(ck, ikm)</c> (§4.3) is spelled out with HMAC-SHA256 as the specification
/// defines it (it equals RFC 5869 HKDF with <c>salt = ck</c> and empty info, but also takes the
/// empty input of <c>Split</c>, which HKDF implementations refuse). Diffie-Hellman results arrive as
/// stack spans (<see cref="X25519Dh"/>) that the caller zeroes.
/// </remarks>
internal sealed class SymmetricState : IDisposable
{
    /// <summary>SHA-256 output length (Noise §4.3, <c>HASHLEN</c>).</summary>
    public const int HashSize = 32;

    private readonly byte[] chainingKey = new byte[HashSize];
    private readonly byte[] hash = new byte[HashSize];
    private readonly IncrementalHash sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Noise <c>InitializeSymmetric</c>.</summary>
    /// <param name="protocolName">The full protocol name, e.g. <c>Noise_XX_25519_ChaChaPoly_SHA256</c>, in ASCII.</param>
    public SymmetricState(ReadOnlySpan<byte> protocolName)
    {
        if (protocolName.Length <= HashSize)
        {
            protocolName.CopyTo(hash);
        }
        else
        {
            SHA256.HashData(protocolName, hash);
        }

        hash.CopyTo(chainingKey, 0);
    }

    /// <summary>The cipher state keyed by <see cref="MixKey"/>.</summary>
    /// <remarks>
    /// The platform's AEAD where it has one (<see cref="CipherState()"/>), as for the transport keys
    /// from <see cref="Split"/>: an NSec key would be one more guarded allocation per <c>MixKey</c>
    /// (ADR 0013).
    /// </remarks>
    public CipherState Cipher { get; } = new();

    /// <summary>The handshake hash <c>h</c>; after the handshake, a channel-binding value.</summary>
    public ReadOnlySpan<byte> Hash => hash;

    /// <summary>Test hook: the chaining key <c>ck</c>.</summary>
    internal ReadOnlySpan<byte> ChainingKey => chainingKey;

    /// <summary>Noise <c>MixKey</c>: a Diffie-Hellman output (or other input keying material) into the chaining key and a new cipher key.</summary>
    /// <param name="inputKeyMaterial">The input.</param>
    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> output = stackalloc byte[2 * HashSize];
        HmacHkdf(chainingKey, inputKeyMaterial, output);
        ApplyMixKey(output);
    }

    /// <summary>Noise <c>MixHash</c>: <c>h = SHA256(h || data)</c>.</summary>
    /// <param name="data">The data to bind into the transcript.</param>
    public void MixHash(ReadOnlySpan<byte> data)
    {
        sha256.AppendData(hash);
        sha256.AppendData(data);
        sha256.GetHashAndReset(hash);
    }

    /// <summary>Noise <c>EncryptAndHash</c>.</summary>
    /// <param name="plaintext">The bytes to encrypt.</param>
    /// <param name="ciphertext">The destination.</param>
    /// <returns>The bytes written (plaintext length, plus 16 once keyed).</returns>
    public int EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        int written = Cipher.Encrypt(hash, plaintext, ciphertext);
        MixHash(ciphertext[..written]);
        return written;
    }

    /// <summary>Noise <c>DecryptAndHash</c>.</summary>
    /// <param name="ciphertext">The received bytes.</param>
    /// <param name="plaintext">The destination.</param>
    /// <param name="written">The plaintext length on success.</param>
    /// <returns><see langword="false"/> when authentication fails.</returns>
    public bool TryDecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, out int written)
    {
        if (!Cipher.TryDecrypt(hash, ciphertext, plaintext, out written))
        {
            return false;
        }

        MixHash(ciphertext);
        return true;
    }

    /// <summary>
    /// Noise <c>Split</c>: derives the two transport cipher states, the first for
    /// initiator-to-responder traffic and the second for the other direction.
    /// </summary>
    /// <returns>The two cipher states; the caller owns them.</returns>
    public (CipherState InitiatorToResponder, CipherState ResponderToInitiator) Split()
    {
        Span<byte> output = stackalloc byte[2 * HashSize];
        HmacHkdf(chainingKey, ReadOnlySpan<byte>.Empty, output);
        var first = new CipherState();
        var second = new CipherState();
        first.InitializeKey(output[..CipherState.KeySize]);
        second.InitializeKey(output.Slice(HashSize, CipherState.KeySize));
        CryptographicOperations.ZeroMemory(output);
        return (first, second);
    }

    /// <summary>Wipes the chaining key and the handshake cipher key.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(chainingKey);
        Cipher.Dispose();
        sha256.Dispose();
    }

    /// <summary>Noise §4.3 <c>HKDF(ck, ikm, 2)</c> spelled out with HMAC-SHA256.</summary>
    private static void HmacHkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output)
    {
        Span<byte> tempKey = stackalloc byte[HashSize];
        Span<byte> block = stackalloc byte[HashSize + 1];
        HMACSHA256.HashData(chainingKey, inputKeyMaterial, tempKey);
        block[0] = 0x01;
        HMACSHA256.HashData(tempKey, block[..1], output[..HashSize]);
        output[..HashSize].CopyTo(block);
        block[HashSize] = 0x02;
        HMACSHA256.HashData(tempKey, block, output.Slice(HashSize, HashSize));
        CryptographicOperations.ZeroMemory(tempKey);
        CryptographicOperations.ZeroMemory(block);
    }

    private void ApplyMixKey(Span<byte> output)
    {
        output[..HashSize].CopyTo(chainingKey);
        Cipher.InitializeKey(output.Slice(HashSize, CipherState.KeySize));
        CryptographicOperations.ZeroMemory(output);
    }
}
