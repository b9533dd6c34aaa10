using System.Diagnostics.CodeAnalysis;
using Rx.Network.Errors;

namespace Rx.Network.Identity;

/// <summary>The link between peer IDs and public keys.</summary>
public sealed partial class PeerId
{
    /// <summary>
    /// The longest protobuf-encoded public key that is inlined in the peer ID rather than hashed
    /// (<see href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#peer-ids">peer-ids.md, "Peer Ids"</see>).
    /// </summary>
    public const int MaxInlinedKeyLength = 42;

    // Set when the ID was made from a key whose encoding it inlines, so the key need not be decoded again.
    private readonly PublicKey? inlinedKey;

    private PeerId(byte[] multihash, PublicKey? inlinedKey)
        : this(multihash)
    {
        this.inlinedKey = inlinedKey;
    }

    /// <summary>
    /// Derives the peer ID of a public key: the identity multihash of its protobuf encoding when that
    /// is at most <see cref="MaxInlinedKeyLength"/> bytes, else the sha2-256 multihash.
    /// </summary>
    /// <param name="publicKey">The key.</param>
    /// <returns>The peer ID.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="publicKey"/> is null.</exception>
    public static PeerId FromPublicKey(PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var multihash = MultihashOf(publicKey);
        return new PeerId(multihash, multihash[0] == (byte)Multihash.Identity ? publicKey : null);
    }

    /// <summary>Whether this is the peer ID of <paramref name="publicKey"/>.</summary>
    /// <param name="publicKey">The key.</param>
    /// <returns><see langword="true"/> if the key derives this peer ID.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="publicKey"/> is null.</exception>
    public bool Matches(PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return bytes.AsSpan().SequenceEqual(MultihashOf(publicKey));
    }

    /// <summary>Recovers the public key inlined in this peer ID (Ed25519 and secp256k1 peers).</summary>
    /// <param name="publicKey">The key when the result is <see langword="true"/>.</param>
    /// <returns>
    /// <see langword="true"/> if the ID inlines a valid key whose own peer ID is this one;
    /// <see langword="false"/> if the ID is a hash (RSA, ECDSA peers: the key must come from elsewhere,
    /// e.g. the handshake) or the inlined bytes are not such a key.
    /// </returns>
    public bool TryGetPublicKey([NotNullWhen(true)] out PublicKey? publicKey)
    {
        publicKey = inlinedKey ?? DecodeInlinedKey(out _);
        return publicKey is not null;
    }

    /// <summary>Recovers the public key inlined in this peer ID (Ed25519 and secp256k1 peers).</summary>
    /// <returns>The key.</returns>
    /// <exception cref="InvalidOperationException">
    /// The peer ID is a hash of the key (<see cref="IsInlinedKey"/> is false), so the key cannot be
    /// recovered from it.
    /// </exception>
    /// <exception cref="FormatException">
    /// The inlined bytes are not a valid key, or not one whose peer ID is this one.
    /// </exception>
    public PublicKey ExtractPublicKey()
    {
        if (!IsInlinedKey)
        {
            throw new InvalidOperationException(
                $"The peer ID {this} is a hash of its public key; the key must be obtained from the peer.");
        }

        return inlinedKey ?? DecodeInlinedKey(out var error) ?? throw error!;
    }

    private static byte[] MultihashOf(PublicKey publicKey)
    {
        var protobuf = publicKey.ProtobufSpan;
        return protobuf.Length <= MaxInlinedKeyLength
            ? Multihash.Encode(Multihash.Identity, protobuf)
            : Multihash.Sha256Of(protobuf);
    }

    private PublicKey? DecodeInlinedKey(out FormatException? error)
    {
        error = null;
        if (!IsInlinedKey)
        {
            return null;
        }

        var (_, digest) = Multihash.Decode(bytes);
        if (digest.Length > MaxInlinedKeyLength)
        {
            error = Error.Format($"The peer ID inlines {digest.Length} bytes; keys longer than {MaxInlinedKeyLength} bytes are hashed, never inlined.");
            return null;
        }

        PublicKey key;
        try
        {
            key = PublicKey.FromProtobuf(digest.Span);
        }
        catch (FormatException e)
        {
            error = e;
            return null;
        }

        // A non-canonical encoding would "contain" a key whose real peer ID is a different one;
        // accepting it would let two IDs claim the same key.
        if (!Matches(key))
        {
            error = Error.Format("The peer ID inlines a key in a non-canonical encoding.");
            return null;
        }

        return key;
    }
}
