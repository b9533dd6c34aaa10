using System.Formats.Asn1;
using Rx.Network.Errors;

namespace Rx.Network.Security.Tls;

/// <summary>
/// The value of the libp2p public key extension: <c>SignedKey ::= SEQUENCE { publicKey OCTET STRING,
/// signature OCTET STRING }</c>, the host key (protobuf <c>PublicKey</c>) and its signature over
/// <see cref="SignaturePrefix"/> followed by the certificate's SubjectPublicKeyInfo.
/// </summary>
/// <remarks>Spec: <see href="https://github.com/libp2p/specs/blob/master/tls/tls.md#libp2p-public-key-extension"/>.</remarks>
/// <param name="PublicKey">The host key, protobuf-encoded.</param>
/// <param name="Signature">The host key's signature.</param>
internal sealed record SignedKey(byte[] PublicKey, byte[] Signature)
{
    /// <summary>The extension's OID, allocated by IANA to libp2p.</summary>
    public const string ExtensionOid = "1.3.6.1.4.1.53594.1.1";

    /// <summary>What the host key signs, before the SubjectPublicKeyInfo.</summary>
    public static ReadOnlySpan<byte> SignaturePrefix => "libp2p-tls-handshake:"u8;

    /// <summary>The bytes the host key signs for a certificate key: the prefix, then <paramref name="subjectPublicKeyInfo"/>.</summary>
    /// <param name="subjectPublicKeyInfo">The certificate key's DER SubjectPublicKeyInfo.</param>
    public static byte[] SignedData(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var data = new byte[SignaturePrefix.Length + subjectPublicKeyInfo.Length];
        SignaturePrefix.CopyTo(data);
        subjectPublicKeyInfo.CopyTo(data.AsSpan(SignaturePrefix.Length));
        return data;
    }

    /// <summary>Writes the DER form.</summary>
    public byte[] Encode()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteOctetString(PublicKey);
            writer.WriteOctetString(Signature);
        }

        return writer.Encode();
    }

    /// <summary>Reads the extension's value (BER, which includes DER).</summary>
    /// <param name="value">The extension's value.</param>
    /// <exception cref="FormatException">The value is not a <c>SignedKey</c>.</exception>
    public static SignedKey Decode(ReadOnlyMemory<byte> value)
    {
        try
        {
            var reader = new AsnReader(value, AsnEncodingRules.BER);
            var sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var publicKey = sequence.ReadOctetString();
            var signature = sequence.ReadOctetString();
            sequence.ThrowIfNotEmpty();
            return new SignedKey(publicKey, signature);
        }
        catch (AsnContentException e)
        {
            throw Error.Format($"The libp2p public key extension is not a SignedKey: {e.Message}", e);
        }
    }
}
