using NSec.Cryptography;
using Rx.Network.Errors;

namespace Rx.Network.Identity;

/// <summary>An Ed25519 public key (peer-ids.md, "Ed25519": the 32 raw bytes, no extra encoding).</summary>
internal sealed class Ed25519KeyVerifier : KeyVerifier
{
    internal const int KeyLength = 32;

    private readonly NSec.Cryptography.PublicKey key;
    private readonly byte[] data;

    private Ed25519KeyVerifier(NSec.Cryptography.PublicKey key, byte[] data)
    {
        this.key = key;
        this.data = data;
    }

    internal override byte[] Data => data;

    /// <exception cref="FormatException">The bytes are not a 32-byte Ed25519 public key.</exception>
    internal static Ed25519KeyVerifier Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length != KeyLength)
        {
            throw Error.Format($"An Ed25519 public key is {KeyLength} bytes, not {data.Length}.");
        }

        if (!NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, data, KeyBlobFormat.RawPublicKey, out var key))
        {
            throw Error.Format("The bytes are not a valid Ed25519 public key.");
        }

        // NSec does not annotate the out parameter; TryImport returned true, so it is set.
        return new Ed25519KeyVerifier(key!, data.ToArray());
    }

    internal static Ed25519KeyVerifier FromKey(NSec.Cryptography.PublicKey key) =>
        new(key, key.Export(KeyBlobFormat.RawPublicKey));

    // NSec itself returns false for a signature of the wrong length (the behaviour we want).
    internal override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        SignatureAlgorithm.Ed25519.Verify(key, data, signature);
}
