using Rx.Network.Encoding;
using Rx.Network.Errors;
using SimpleBase;

namespace Rx.Network.Addressing;

/// <summary>
/// <c>/certhash</c>: a multihash of a TLS certificate (WebTransport, WebRTC), written in multibase.
/// </summary>
/// <remarks>
/// Input may use any multibase encoding (both references decode any); output is base64url without
/// padding (<c>u…</c>), as go-multiaddr's <c>certHashBtS</c> and js-multiaddr's <c>bytes2mb(base64url)</c>
/// write it. The bytes must be one well-formed multihash: varint code, varint digest length, and
/// exactly that many digest bytes (go-multihash's <c>Decode</c>). The hash function is not checked.
/// </remarks>
internal sealed class CertHashCodec : ValueCodec
{
    internal static readonly CertHashCodec Instance = new();

    public override byte[] Parse(string text)
    {
        var bytes = MultibaseText.Decode(text);
        ValidateMultihash(bytes);
        return bytes;
    }

    public override string Format(ReadOnlySpan<byte> value)
    {
        ValidateMultihash(value);
        return Multibase.Encode(value, MultibaseEncoding.Base64Url);
    }

    private static void ValidateMultihash(ReadOnlySpan<byte> bytes)
    {
        var status = Varint.TryRead(bytes, out _, out int codeLength);
        if (status != VarintStatus.Done)
        {
            throw Error.Format($"The certificate hash is not a multihash: its code is malformed ({status}).");
        }

        status = Varint.TryRead(bytes[codeLength..], out ulong length, out int lengthLength);
        if (status != VarintStatus.Done)
        {
            throw Error.Format($"The certificate hash is not a multihash: its length is malformed ({status}).");
        }

        int digest = bytes.Length - codeLength - lengthLength;
        if ((ulong)digest != length)
        {
            throw Error.Format($"The certificate hash declares a {length}-byte digest but carries {digest} bytes.");
        }
    }
}
