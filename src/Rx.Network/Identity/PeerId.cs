using System.Diagnostics.CodeAnalysis;
using Rx.Network.Encoding;
using Rx.Network.Errors;
using SimpleBase;

namespace Rx.Network.Identity;

/// <summary>
/// The identity of a peer: the multihash of its public key, as defined by the libp2p
/// <see href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#peer-ids">peer-ids spec</see>.
/// </summary>
/// <remarks>
/// A peer ID is the identity multihash of the protobuf-encoded public key when that encoding is at
/// most 42 bytes (Ed25519, secp256k1), and its sha2-256 multihash otherwise (RSA, ECDSA). Its text
/// form is base58btc (<c>12D3KooW…</c>, <c>Qm…</c>, <c>16Uiu2…</c>); a CIDv1 with the
/// <c>libp2p-key</c> codec is accepted too. <see cref="FromPublicKey"/> derives the ID of a key,
/// <see cref="Matches"/> checks a key against an ID, and <see cref="TryGetPublicKey"/> recovers an
/// inlined key. Instances are immutable and compare by value.
/// </remarks>
public sealed partial class PeerId : IEquatable<PeerId>, IComparable<PeerId>
{
    /// <summary>The multicodec of a CID that holds a peer ID (<c>libp2p-key</c>).</summary>
    public const ulong Libp2pKeyCodec = 0x72;

    /// <summary>The longest text form we attempt to decode; real peer IDs are well under 100 characters.</summary>
    private const int MaxTextLength = 512;

    private readonly byte[] bytes;
    private string? text;

    private PeerId(byte[] multihash)
    {
        bytes = multihash;
    }

    /// <summary>The raw multihash bytes of this peer ID.</summary>
    public ReadOnlyMemory<byte> Bytes => bytes;

    /// <summary>Whether the public key is inlined (identity multihash) and so can be recovered from the ID.</summary>
    public bool IsInlinedKey => bytes[0] == (byte)Multihash.Identity;

    /// <summary>Creates a peer ID from its raw multihash bytes.</summary>
    /// <param name="multihash">The multihash: identity or sha2-256.</param>
    /// <returns>The peer ID.</returns>
    /// <exception cref="FormatException">The bytes are not a valid peer-ID multihash.</exception>
    public static PeerId FromBytes(ReadOnlySpan<byte> multihash)
    {
        var copy = multihash.ToArray();
        Multihash.Decode(copy);
        return new PeerId(copy);
    }

    /// <summary>
    /// Parses a peer ID from base58btc (<c>12D3KooW…</c>, <c>Qm…</c>) or from a CIDv1 with the
    /// <c>libp2p-key</c> codec in any multibase (<c>bafzaa…</c>).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The peer ID.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a peer ID, or is a CID of another codec.</exception>
    public static PeerId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var multihash = DecodeText(text);
        Multihash.Decode(multihash);
        // The text is not kept for ToString: only the canonical base58btc of the bytes is printed,
        // so equal peer IDs always print alike.
        return new PeerId(multihash);
    }

    /// <summary>Tries to parse a peer ID; see <see cref="Parse(string)"/> for the accepted forms.</summary>
    /// <param name="text">The text, possibly null.</param>
    /// <param name="peerId">The peer ID when the result is <see langword="true"/>.</param>
    /// <returns>Whether the text is a valid peer ID.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out PeerId? peerId)
    {
        peerId = null;
        if (text is null)
        {
            return false;
        }

        try
        {
            peerId = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Returns a copy of the raw multihash bytes.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToBytes() => (byte[])bytes.Clone();

    /// <summary>The base58btc form, as libp2p prints peer IDs.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => text ??= Base58.Bitcoin.Encode(bytes);

    /// <summary>The CIDv1 form (<c>libp2p-key</c> codec, base32 multibase), e.g. <c>bafzaa…</c>.</summary>
    /// <returns>The text.</returns>
    public string ToCidString()
    {
        var cid = new byte[2 + bytes.Length];
        cid[0] = 0x01; // CID version 1
        cid[1] = (byte)Libp2pKeyCodec;
        bytes.CopyTo(cid, 2);
        return Multibase.Encode(cid, MultibaseEncoding.Base32Lower);
    }

    /// <inheritdoc/>
    public bool Equals(PeerId? other) => other is not null && bytes.AsSpan().SequenceEqual(other.bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PeerId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    /// <summary>Orders peer IDs by their raw bytes (a stable order for sorting and distance tables).</summary>
    /// <param name="other">The other peer ID.</param>
    /// <returns>Negative, zero or positive.</returns>
    public int CompareTo(PeerId? other) => other is null ? 1 : bytes.AsSpan().SequenceCompareTo(other.bytes);

    /// <summary>Value equality.</summary>
    /// <param name="left">One peer ID.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether both are null or equal.</returns>
    public static bool operator ==(PeerId? left, PeerId? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    /// <param name="left">One peer ID.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(PeerId? left, PeerId? right) => !(left == right);

    /// <summary>Ordering.</summary>
    /// <param name="left">One peer ID.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether <paramref name="left"/> sorts first.</returns>
    public static bool operator <(PeerId? left, PeerId? right) => left is null ? right is not null : left.CompareTo(right) < 0;

    /// <summary>Ordering.</summary>
    /// <param name="left">One peer ID.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether <paramref name="left"/> sorts last.</returns>
    public static bool operator >(PeerId? left, PeerId? right) => left is not null && left.CompareTo(right) > 0;

    /// <summary>Ordering.</summary>
    /// <param name="left">One peer ID.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether <paramref name="left"/> does not sort last.</returns>
    public static bool operator <=(PeerId? left, PeerId? right) => !(left > right);

    /// <summary>Ordering.</summary>
    /// <param name="left">One peer ID.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether <paramref name="left"/> does not sort first.</returns>
    public static bool operator >=(PeerId? left, PeerId? right) => !(left < right);

    // peer-ids.md, "String representation": a bare base58btc multihash starts with "1" (identity)
    // or "Qm" (sha2-256); anything else is a multibase-encoded CID.
    private static bool IsBase58Form(string text) => text.StartsWith('1') || text.StartsWith("Qm", StringComparison.Ordinal);

    private static byte[] DecodeText(string text)
    {
        if (text.Length == 0 || text.Length > MaxTextLength)
        {
            throw Error.Format($"A peer ID is 1 to {MaxTextLength} characters long; this text has {text.Length}.");
        }

        // Every multibase alphabet is printable ASCII. Checking here keeps other characters away from
        // SimpleBase, whose decoders index lookup tables by character and fail with
        // IndexOutOfRangeException on non-ASCII input.
        if (text.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            throw Error.Format($"'{Shorten(text)}' contains characters no peer ID encoding uses.");
        }

        if (IsBase58Form(text))
        {
            try
            {
                return Base58.Bitcoin.Decode(text);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or IndexOutOfRangeException)
            {
                throw Error.Format($"'{Shorten(text)}' is not valid base58btc.", e);
            }
        }

        byte[] cid;
        try
        {
            cid = Multibase.Decode(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException or IndexOutOfRangeException)
        {
            throw Error.Format($"'{Shorten(text)}' is neither base58btc nor a multibase CID.", e);
        }

        var status = Varint.TryRead(cid, out ulong version, out int read);
        if (status != VarintStatus.Done || version != 1)
        {
            throw Error.Format("A peer ID CID must be CIDv1.");
        }

        status = Varint.TryRead(cid.AsSpan(read), out ulong codec, out int codecRead);
        if (status != VarintStatus.Done)
        {
            throw Error.Format("The CID codec is malformed.");
        }

        if (codec != Libp2pKeyCodec)
        {
            throw Error.Format($"The CID has codec 0x{codec:x}; a peer ID needs libp2p-key (0x72).");
        }

        return cid[(read + codecRead)..];
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
