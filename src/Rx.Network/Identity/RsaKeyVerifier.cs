using System.Security.Cryptography;
using Rx.Network.Errors;

namespace Rx.Network.Identity;

/// <summary>
/// An RSA public key (peer-ids.md, "RSA": PKIX SubjectPublicKeyInfo DER; signatures are
/// RSASSA-PKCS1-v1_5 over SHA-256).
/// </summary>
/// <remarks>
/// The key is kept as <see cref="RSAParameters"/> and imported into a short-lived <see cref="RSA"/>
/// per verification, so that <see cref="PublicKey"/> owns no native handle and need not be disposable.
/// RSA keys are rare in libp2p today (legacy IPFS nodes); the import cost is acceptable.
/// </remarks>
internal sealed class RsaKeyVerifier : KeyVerifier
{
    /// <summary>
    /// The smallest modulus accepted, as go-libp2p's <c>MinRsaKeyBits</c>: weaker keys are refused by
    /// the other implementations too, so accepting them would only invite downgrade.
    /// </summary>
    internal const int MinModulusBits = 2048;

    /// <summary>
    /// The largest modulus accepted, as go-libp2p's <c>maxRsaKeyBits</c>: a hostile peer must not make
    /// us verify with a huge key (verification cost grows with the square of the modulus length).
    /// </summary>
    internal const int MaxModulusBits = 8192;

    /// <summary>The largest public exponent accepted (2^31 - 1, the bound Go's crypto/rsa enforces).</summary>
    private const long MaxExponent = int.MaxValue;

    private readonly RSAParameters parameters;
    private readonly byte[] data;

    private RsaKeyVerifier(RSAParameters parameters, byte[] data)
    {
        this.parameters = parameters;
        this.data = data;
    }

    internal override byte[] Data => data;

    /// <exception cref="FormatException">The bytes are not an acceptable RSA SubjectPublicKeyInfo.</exception>
    internal static RsaKeyVerifier Decode(ReadOnlySpan<byte> spki)
    {
        using var rsa = RSA.Create();
        int read;
        try
        {
            rsa.ImportSubjectPublicKeyInfo(spki, out read);
        }
        catch (Exception e) when (e is CryptographicException or NotSupportedException)
        {
            throw Error.Format($"The bytes are not an acceptable DER-encoded RSA SubjectPublicKeyInfo: {e.Message}", e);
        }

        if (read != spki.Length)
        {
            throw Error.Format($"The RSA key has {spki.Length - read} trailing bytes after its DER encoding.");
        }

        RSAParameters parameters;
        byte[] canonical;
        try
        {
            parameters = rsa.ExportParameters(includePrivateParameters: false);
            // Re-encoded as go-libp2p does (x509.MarshalPKIXPublicKey), so the peer ID derived from
            // this key is the one every other implementation derives.
            canonical = rsa.ExportSubjectPublicKeyInfo();
        }
        catch (Exception e) when (e is CryptographicException or NotSupportedException)
        {
            throw Error.Format("The RSA key cannot be used.", e);
        }

        int bits = BitLength(parameters.Modulus!);
        if (bits is < MinModulusBits or > MaxModulusBits)
        {
            throw Error.Format($"The RSA modulus has {bits} bits; accepted are {MinModulusBits} to {MaxModulusBits}.");
        }

        long exponent = ExponentValue(parameters.Exponent!);
        if (exponent < 3 || exponent > MaxExponent || exponent % 2 == 0)
        {
            throw Error.Format("The RSA public exponent must be odd and between 3 and 2^31 - 1.");
        }

        return new RsaKeyVerifier(new RSAParameters { Modulus = parameters.Modulus, Exponent = parameters.Exponent }, canonical);
    }

    internal override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportParameters(parameters);
            return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (Exception e) when (e is CryptographicException or NotSupportedException)
        {
            return false;
        }
    }

    private static int BitLength(ReadOnlySpan<byte> bigEndian)
    {
        int start = bigEndian.IndexOfAnyExcept((byte)0);
        if (start < 0)
        {
            return 0;
        }

        return ((bigEndian.Length - start - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)bigEndian[start]));
    }

    private static long ExponentValue(ReadOnlySpan<byte> bigEndian)
    {
        int start = bigEndian.IndexOfAnyExcept((byte)0);
        if (start < 0)
        {
            return 0;
        }

        var significant = bigEndian[start..];
        if (significant.Length > 4)
        {
            return long.MaxValue;
        }

        long value = 0;
        foreach (byte b in significant)
        {
            value = (value << 8) | b;
        }

        return value;
    }
}
