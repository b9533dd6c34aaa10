using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rx.Network.Errors;
using Rx.Network.Identity;
using PublicKey = Rx.Network.Identity.PublicKey;

namespace Rx.Network.Security.Tls;

/// <summary>
/// Checks a remote's libp2p TLS certificate against every rule of
/// <see href="https://github.com/libp2p/specs/blob/master/tls/tls.md#peer-authentication">tls.md, "Peer Authentication"</see>
/// and returns the host key it proves. The certificate chain machinery of X.509 is ignored: there
/// is no CA, the certificate must sign itself and the host key must sign the certificate's key.
/// </summary>
/// <remarks>
/// Every broken rule throws a <see cref="CertificateRejectedException"/> naming it. The input is
/// bounded before it gets here (the handshake's byte budget), so parsing costs at most a few
/// kilobytes of ASN.1 and two signature checks.
/// </remarks>
internal static class CertificateVerifier
{
    // RFC 5758 / RFC 8017 / RFC 8410 signature algorithm OIDs.
    private const string EcdsaSha256 = "1.2.840.10045.4.3.2";
    private const string EcdsaSha384 = "1.2.840.10045.4.3.3";
    private const string EcdsaSha512 = "1.2.840.10045.4.3.4";
    private const string RsaSha256 = "1.2.840.113549.1.1.11";
    private const string RsaSha384 = "1.2.840.113549.1.1.12";
    private const string RsaSha512 = "1.2.840.113549.1.1.13";
    private const string Ed25519 = "1.3.101.112";

    /// <summary>
    /// Critical extensions we understand (RFC 5280): key usage, subject alternative name, basic
    /// constraints, extended key usage, and the libp2p one. Any other critical one is refused.
    /// </summary>
    private static readonly HashSet<string> UnderstoodExtensions =
        ["2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.37", "2.5.29.14", "2.5.29.35", SignedKey.ExtensionOid];

    /// <summary>Verifies the certificate the remote presented.</summary>
    /// <param name="certificate">The remote's certificate, or null when it presented none.</param>
    /// <param name="chainLength">How many certificates the remote sent in all.</param>
    /// <param name="now">The current time, for the validity period.</param>
    /// <returns>The remote's host key, proven by the certificate.</returns>
    /// <exception cref="CertificateRejectedException">The certificate broke a rule.</exception>
    public static PublicKey Verify(X509Certificate2? certificate, int chainLength, DateTimeOffset now)
    {
        if (certificate is null)
        {
            throw Error.Certificate(CertificateFailure.NoCertificate, "The remote presented no TLS certificate.");
        }

        if (chainLength > 1)
        {
            throw Error.Certificate(CertificateFailure.TooManyCertificates, $"The remote sent {chainLength} certificates; libp2p TLS allows exactly one.");
        }

        if (now < certificate.NotBefore.ToUniversalTime())
        {
            throw Error.Certificate(CertificateFailure.NotYetValid, $"The remote's certificate is not valid before {certificate.NotBefore.ToUniversalTime():O}.");
        }

        if (now > certificate.NotAfter.ToUniversalTime())
        {
            throw Error.Certificate(CertificateFailure.Expired, $"The remote's certificate expired at {certificate.NotAfter.ToUniversalTime():O}.");
        }

        var parts = Parse(certificate.RawDataMemory);
        if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(certificate.SubjectName.RawData))
        {
            throw Error.Certificate(CertificateFailure.Malformed, "The remote's certificate is not self-issued (its issuer differs from its subject).");
        }

        VerifySelfSignature(certificate, parts);
        var signedKey = FindSignedKey(certificate);
        PublicKey hostKey;
        try
        {
            hostKey = PublicKey.FromProtobuf(signedKey.PublicKey);
        }
        catch (FormatException e)
        {
            throw Error.Certificate(CertificateFailure.MalformedExtension, $"The host key in the remote's certificate cannot be read: {e.Message}", e);
        }

        if (!hostKey.Verify(SignedKey.SignedData(parts.SubjectPublicKeyInfo.Span), signedKey.Signature))
        {
            throw Error.Certificate(CertificateFailure.InvalidKeySignature, "The host key's signature over the remote's certificate key does not verify.");
        }

        return hostKey;
    }

    /// <summary>Verifies a DER certificate (the spec's test vectors come in this form).</summary>
    /// <param name="der">The certificate.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The host key it proves.</returns>
    /// <exception cref="CertificateRejectedException">The certificate broke a rule or is not DER.</exception>
    public static PublicKey Verify(ReadOnlySpan<byte> der, DateTimeOffset now)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw Error.Certificate(CertificateFailure.Malformed, $"The certificate cannot be parsed: {e.Message}", e);
        }

        using (certificate)
        {
            return Verify(certificate, 1, now);
        }
    }

    private static SignedKey FindSignedKey(X509Certificate2 certificate)
    {
        SignedKey? found = null;
        foreach (var extension in certificate.Extensions)
        {
            string? oid = extension.Oid?.Value;
            if (oid == SignedKey.ExtensionOid)
            {
                if (found is not null)
                {
                    throw Error.Certificate(CertificateFailure.MalformedExtension, "The remote's certificate carries the libp2p extension twice.");
                }

                try
                {
                    found = SignedKey.Decode(extension.RawData);
                }
                catch (FormatException e)
                {
                    throw Error.Certificate(CertificateFailure.MalformedExtension, e.Message, e);
                }
            }
            else if (extension.Critical && (oid is null || !UnderstoodExtensions.Contains(oid)))
            {
                throw Error.Certificate(CertificateFailure.UnsupportedField, $"The remote's certificate carries the critical extension {oid}, which we do not understand.");
            }
        }

        return found ?? throw Error.Certificate(CertificateFailure.MissingExtension, "The remote's certificate lacks the libp2p public key extension (1.3.6.1.4.1.53594.1.1).");
    }

    private static void VerifySelfSignature(X509Certificate2 certificate, CertificateParts parts)
    {
        bool valid;
        try
        {
            valid = parts.SignatureAlgorithm switch
            {
                EcdsaSha256 => VerifyEcdsa(certificate, parts, HashAlgorithmName.SHA256),
                EcdsaSha384 => VerifyEcdsa(certificate, parts, HashAlgorithmName.SHA384),
                EcdsaSha512 => VerifyEcdsa(certificate, parts, HashAlgorithmName.SHA512),
                RsaSha256 => VerifyRsa(certificate, parts, HashAlgorithmName.SHA256),
                RsaSha384 => VerifyRsa(certificate, parts, HashAlgorithmName.SHA384),
                RsaSha512 => VerifyRsa(certificate, parts, HashAlgorithmName.SHA512),
                Ed25519 => certificate.PublicKey.Oid.Value == Ed25519
                    && PublicKey.FromRawBytes(KeyType.Ed25519, certificate.PublicKey.EncodedKeyValue.RawData).Verify(parts.Tbs.Span, parts.Signature.Span),
                _ => throw Error.Certificate(CertificateFailure.InvalidSelfSignature, $"The remote's certificate is signed with {parts.SignatureAlgorithm}, which we do not support."),
            };
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            throw Error.Certificate(CertificateFailure.InvalidSelfSignature, $"The remote's certificate signature cannot be checked: {e.Message}", e);
        }

        if (!valid)
        {
            throw Error.Certificate(CertificateFailure.InvalidSelfSignature, "The remote's certificate's self-signature does not verify.");
        }
    }

    private static bool VerifyEcdsa(X509Certificate2 certificate, CertificateParts parts, HashAlgorithmName hash)
    {
        using var key = certificate.GetECDsaPublicKey() ?? throw Error.Format("The certificate's key is not an ECDSA key.");
        return key.VerifyData(parts.Tbs.Span, parts.Signature.Span, hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    private static bool VerifyRsa(X509Certificate2 certificate, CertificateParts parts, HashAlgorithmName hash)
    {
        using var key = certificate.GetRSAPublicKey() ?? throw Error.Format("The certificate's key is not an RSA key.");
        return key.VerifyData(parts.Tbs.Span, parts.Signature.Span, hash, RSASignaturePadding.Pkcs1);
    }

    /// <summary>
    /// Splits the certificate (RFC 5280 §4.1) into the signed TBS bytes, the algorithm and the
    /// signature, and takes the exact SubjectPublicKeyInfo bytes the host key signed; refuses the
    /// deprecated unique-ID fields, as the spec allows.
    /// </summary>
    private static CertificateParts Parse(ReadOnlyMemory<byte> der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var certificate = reader.ReadSequence();
            var tbs = certificate.ReadEncodedValue();
            var algorithm = certificate.ReadSequence();
            string signatureAlgorithm = algorithm.ReadObjectIdentifier();
            var signature = certificate.ReadBitString(out _);
            certificate.ThrowIfNotEmpty();

            var fields = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
            var version = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (fields.PeekTag().HasSameClassAndValue(version))
            {
                fields.ReadEncodedValue();
            }

            fields.ReadEncodedValue(); // serialNumber
            fields.ReadEncodedValue(); // signature
            fields.ReadEncodedValue(); // issuer
            fields.ReadEncodedValue(); // validity
            fields.ReadEncodedValue(); // subject
            var subjectPublicKeyInfo = fields.ReadEncodedValue();
            while (fields.HasData)
            {
                var tag = fields.PeekTag();
                if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue is 1 or 2)
                {
                    throw Error.Certificate(CertificateFailure.UnsupportedField, "The remote's certificate carries the deprecated issuerUniqueID or subjectUniqueID.");
                }

                fields.ReadEncodedValue();
            }

            return new CertificateParts(tbs, signatureAlgorithm, signature, subjectPublicKeyInfo);
        }
        catch (AsnContentException e)
        {
            throw Error.Certificate(CertificateFailure.Malformed, $"The remote's certificate is not valid DER: {e.Message}", e);
        }
    }

    private sealed record CertificateParts(ReadOnlyMemory<byte> Tbs, string SignatureAlgorithm, ReadOnlyMemory<byte> Signature, ReadOnlyMemory<byte> SubjectPublicKeyInfo);
}
