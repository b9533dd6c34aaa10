using System.Security.Cryptography;
using Rx.Network.Encoding;
using Rx.Network.Errors;

namespace Rx.Network.Identity;

/// <summary>
/// The subset of <see href="https://github.com/multiformats/multihash">multihash</see> that peer IDs
/// use: <c>identity</c> (the key inlined) and <c>sha2-256</c>.
/// </summary>
internal static class Multihash
{
    /// <summary>The identity "hash": the digest is the data itself.</summary>
    internal const ulong Identity = 0x00;

    /// <summary>SHA-256, with a 32-byte digest.</summary>
    internal const ulong Sha2_256 = 0x12;

    /// <summary>
    /// The largest inlined key we accept when decoding. The spec inlines keys of at most 42 bytes
    /// (peer-ids.md, "Peer Ids"); we are lenient on input but keep it bounded.
    /// </summary>
    internal const int MaxIdentityDigestLength = 256;

    internal static byte[] Encode(ulong code, ReadOnlySpan<byte> digest)
    {
        var result = new byte[Varint.GetLength(code) + Varint.GetLength((ulong)digest.Length) + digest.Length];
        int offset = Varint.Write(result, code);
        offset += Varint.Write(result.AsSpan(offset), (ulong)digest.Length);
        digest.CopyTo(result.AsSpan(offset));
        return result;
    }

    internal static byte[] Sha256Of(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, digest);
        return Encode(Sha2_256, digest);
    }

    /// <summary>Validates a peer-ID multihash and returns its code and digest.</summary>
    /// <exception cref="FormatException">The bytes are not an identity or sha2-256 multihash.</exception>
    internal static (ulong Code, ReadOnlyMemory<byte> Digest) Decode(ReadOnlyMemory<byte> multihash)
    {
        var span = multihash.Span;
        var status = Varint.TryRead(span, out ulong code, out int codeLength);
        if (status != VarintStatus.Done)
        {
            throw Error.Format($"The multihash code is malformed ({status}).");
        }

        status = Varint.TryRead(span[codeLength..], out ulong length, out int lengthLength);
        if (status != VarintStatus.Done)
        {
            throw Error.Format($"The multihash length is malformed ({status}).");
        }

        int offset = codeLength + lengthLength;
        if ((ulong)(span.Length - offset) != length)
        {
            throw Error.Format($"The multihash declares a {length}-byte digest but carries {span.Length - offset} bytes.");
        }

        switch (code)
        {
            case Identity when length <= MaxIdentityDigestLength:
                break;
            case Identity:
                throw Error.Format($"The inlined key is {length} bytes, above the limit of {MaxIdentityDigestLength}.");
            case Sha2_256 when length == SHA256.HashSizeInBytes:
                break;
            case Sha2_256:
                throw Error.Format($"A sha2-256 multihash must carry 32 bytes, not {length}.");
            default:
                throw Error.Format($"The multihash code 0x{code:x} is not one peer IDs use (identity or sha2-256).");
        }

        return (code, multihash[offset..]);
    }
}
