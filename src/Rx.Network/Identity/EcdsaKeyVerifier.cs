using System.Security.Cryptography;
using Rx.Network.Errors;

namespace Rx.Network.Identity;

/// <summary>
/// An ECDSA public key on a NIST curve (peer-ids.md, "ECDSA": PKIX SubjectPublicKeyInfo DER;
/// signatures are DER-encoded ECDSA over SHA-256, whatever the curve).
/// </summary>
/// <remarks>
/// P-256, P-384 and P-521 are accepted, as in go-libp2p and js-libp2p. Named curves only: explicit
/// curve parameters from a remote peer would let it choose a weak curve. Like
/// <see cref="RsaKeyVerifier"/>, the key is kept as parameters and imported per verification.
/// </remarks>
internal sealed class EcdsaKeyVerifier : KeyVerifier
{
    private static readonly string[] AcceptedCurveOids =
    [
        "1.2.840.10045.3.1.7", // P-256 (secp256r1)
        "1.3.132.0.34",        // P-384 (secp384r1)
        "1.3.132.0.35",        // P-521 (secp521r1)
    ];

    private readonly ECParameters parameters;
    private readonly byte[] data;

    private EcdsaKeyVerifier(ECParameters parameters, byte[] data)
    {
        this.parameters = parameters;
        this.data = data;
    }

    internal override byte[] Data => data;

    /// <exception cref="FormatException">The bytes are not an ECDSA SubjectPublicKeyInfo on an accepted curve.</exception>
    internal static EcdsaKeyVerifier Decode(ReadOnlySpan<byte> spki)
    {
        using var ecdsa = ECDsa.Create();
        int read;
        ECParameters parameters;
        byte[] canonical;
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(spki, out read);
            parameters = ecdsa.ExportParameters(includePrivateParameters: false);
            // Re-encoded as go-libp2p does (x509.MarshalPKIXPublicKey), so every implementation
            // derives the same peer ID from this key.
            canonical = ecdsa.ExportSubjectPublicKeyInfo();
        }
        catch (Exception e) when (e is CryptographicException or NotSupportedException)
        {
            // .NET reports a curve OID it does not know as PlatformNotSupportedException.
            throw Error.Format($"The bytes are not a DER-encoded EC SubjectPublicKeyInfo on a known curve: {e.Message}", e);
        }

        if (read != spki.Length)
        {
            throw Error.Format($"The ECDSA key has {spki.Length - read} trailing bytes after its DER encoding.");
        }

        string? oid = parameters.Curve.IsNamed ? parameters.Curve.Oid.Value : null;
        if (oid is null || Array.IndexOf(AcceptedCurveOids, oid) < 0)
        {
            throw Error.Format($"The ECDSA key is on curve '{oid ?? "explicit"}'; accepted are P-256, P-384 and P-521.");
        }

        return new EcdsaKeyVerifier(parameters, canonical);
    }

    internal override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            using var ecdsa = ECDsa.Create(parameters);
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception e) when (e is CryptographicException or NotSupportedException)
        {
            return false;
        }
    }
}
