using Rx.Network.Errors;

namespace Rx.Network.Identity;

/// <summary>
/// A peer's public key, in any of the four libp2p key types, able to check that peer's signatures.
/// </summary>
/// <remarks>
/// <para>
/// Keys travel as the protobuf <c>PublicKey { KeyType Type = 1; bytes Data = 2; }</c> of the
/// <see href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#keys">peer-ids spec</see>;
/// <see cref="FromProtobuf"/> decodes it and <see cref="ToProtobuf"/> writes its deterministic form,
/// from which <see cref="PeerId.FromPublicKey"/> derives the peer ID.
/// </para>
/// <para>
/// Every key is validated when decoded: Ed25519 keys are 32 bytes; RSA keys are PKIX DER with a
/// modulus of 2048 to 8192 bits (go-libp2p's bounds) and an odd exponent below 2^31; ECDSA keys are
/// PKIX DER on P-256, P-384 or P-521; secp256k1 keys are points on the curve (33 bytes compressed,
/// or 65 uncompressed on input). RSA, ECDSA and secp256k1 keys are re-encoded canonically (PKIX DER,
/// compressed point) as go-libp2p and js-libp2p re-encode them, so all derive the same peer ID.
/// </para>
/// <para>Instances are immutable, thread-safe, own no native resources, and compare by value.</para>
/// </remarks>
public sealed class PublicKey : IEquatable<PublicKey>
{
    /// <summary>
    /// The longest protobuf encoding (and key data) accepted. An 8192-bit RSA key, the largest key
    /// accepted, takes about 1.1 KB; the bound keeps a hostile peer from making us parse megabytes.
    /// </summary>
    public const int MaxEncodedLength = 4096;

    private readonly KeyVerifier verifier;
    private readonly byte[] protobuf;

    private PublicKey(KeyType type, KeyVerifier verifier)
    {
        Type = type;
        this.verifier = verifier;
        protobuf = KeyProtobuf.EncodePublic(type, verifier.Data);
    }

    /// <summary>The key type.</summary>
    public KeyType Type { get; }

    /// <summary>
    /// The key in its type's own encoding, as carried in the protobuf <c>Data</c> field: 32 raw bytes
    /// for Ed25519, PKIX DER for RSA and ECDSA, a 33-byte compressed point for secp256k1.
    /// </summary>
    public ReadOnlyMemory<byte> RawBytes => verifier.Data;

    /// <summary>The deterministic protobuf encoding, without a copy (for peer ID derivation).</summary>
    internal ReadOnlySpan<byte> ProtobufSpan => protobuf;

    /// <summary>Decodes a key from the libp2p <c>PublicKey</c> protobuf message.</summary>
    /// <param name="protobuf">The encoded message.</param>
    /// <returns>The key.</returns>
    /// <exception cref="FormatException">
    /// The bytes are not a well-formed message, a field is missing, the type is unknown, or the key
    /// data is not a valid, acceptable key of that type.
    /// </exception>
    public static PublicKey FromProtobuf(ReadOnlySpan<byte> protobuf)
    {
        if (protobuf.Length > MaxEncodedLength)
        {
            throw Error.Format($"The public key message is {protobuf.Length} bytes, above the limit of {MaxEncodedLength}.");
        }

        var (type, data) = KeyProtobuf.DecodePublic(protobuf);
        return Decode(type, data.Span);
    }

    /// <summary>Creates a key from its type and its type-specific encoding (see <see cref="RawBytes"/>).</summary>
    /// <param name="type">The key type.</param>
    /// <param name="rawBytes">The key in that type's encoding.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined <see cref="KeyType"/>.</exception>
    /// <exception cref="FormatException">The bytes are not a valid, acceptable key of that type.</exception>
    public static PublicKey FromRawBytes(KeyType type, ReadOnlySpan<byte> rawBytes)
    {
        if (!Enum.IsDefined(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Not a libp2p key type.");
        }

        return Decode(type, rawBytes);
    }

    /// <summary>Returns the deterministic libp2p <c>PublicKey</c> protobuf encoding of this key.</summary>
    /// <returns>A new array with the encoding.</returns>
    public byte[] ToProtobuf() => (byte[])protobuf.Clone();

    /// <summary>Checks a signature made by the matching private key.</summary>
    /// <param name="data">The signed data.</param>
    /// <param name="signature">The signature, in the key type's libp2p format.</param>
    /// <returns>
    /// <see langword="true"/> if the signature is valid; <see langword="false"/> if it is wrong,
    /// malformed or of the wrong length (never an exception: the signature comes from outside).
    /// </returns>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => verifier.Verify(data, signature);

    /// <inheritdoc/>
    public bool Equals(PublicKey? other) =>
        other is not null && protobuf.AsSpan().SequenceEqual(other.protobuf);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PublicKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(protobuf);
        return hash.ToHashCode();
    }

    /// <summary>Describes the key: its type and the start of its bytes in hex.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var data = verifier.Data;
        string hex = Convert.ToHexStringLower(data.AsSpan(0, Math.Min(data.Length, 16)));
        return data.Length > 16 ? $"{Type} {hex}… ({data.Length} bytes)" : $"{Type} {hex}";
    }

    /// <summary>Value equality.</summary>
    /// <param name="left">One key.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether both are null or equal.</returns>
    public static bool operator ==(PublicKey? left, PublicKey? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    /// <param name="left">One key.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(PublicKey? left, PublicKey? right) => !(left == right);

    internal static PublicKey FromEd25519(NSec.Cryptography.PublicKey key) =>
        new(KeyType.Ed25519, Ed25519KeyVerifier.FromKey(key));

    private static PublicKey Decode(KeyType type, ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxEncodedLength)
        {
            throw Error.Format($"The key data is {data.Length} bytes, above the limit of {MaxEncodedLength}.");
        }

        KeyVerifier verifier = type switch
        {
            KeyType.Ed25519 => Ed25519KeyVerifier.Decode(data),
            KeyType.Rsa => RsaKeyVerifier.Decode(data),
            KeyType.Ecdsa => EcdsaKeyVerifier.Decode(data),
            KeyType.Secp256k1 => Secp256k1KeyVerifier.Decode(data),
            _ => throw Error.Format($"The key type {type} is not one libp2p defines."),
        };
        return new PublicKey(type, verifier);
    }
}
