using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Rx.Network.Errors;

namespace Rx.Network.Identity;

/// <summary>
/// A secp256k1 public key (peer-ids.md, "Secp256k1": the Bitcoin encoding, a 33-byte compressed
/// point; signatures are DER-encoded ECDSA over SHA-256).
/// </summary>
/// <remarks>
/// The 65-byte uncompressed form (<c>04 ‖ X ‖ Y</c>) is accepted on input as go-libp2p accepts it,
/// but the key is always re-encoded compressed, as go-libp2p and js-libp2p marshal it, so the peer
/// ID is the one they derive. .NET cannot import a compressed point, so the point is decompressed
/// here; every point is checked to be on the curve before it is accepted.
/// </remarks>
internal sealed class Secp256k1KeyVerifier : KeyVerifier
{
    internal const int CompressedLength = 33;
    internal const int UncompressedLength = 65;
    private const int CoordinateLength = 32;

    // SEC 2, section 2.4.1: secp256k1 is y^2 = x^3 + 7 over F_p.
    private static readonly BigInteger P = BigInteger.Parse(
        "0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    // p ≡ 3 (mod 4), so a square root of a quadratic residue a is a^((p+1)/4).
    private static readonly BigInteger SqrtExponent = (P + 1) / 4;

    private static readonly BigInteger B = 7;

    private readonly ECPoint point;
    private readonly byte[] data;

    private Secp256k1KeyVerifier(ECPoint point, byte[] data)
    {
        this.point = point;
        this.data = data;
    }

    internal override byte[] Data => data;

    /// <summary>The curve, by OID (SEC 2: 1.3.132.0.10); OpenSSL provides it on Linux.</summary>
    internal static ECCurve Curve => ECCurve.CreateFromValue("1.3.132.0.10");

    /// <exception cref="FormatException">The bytes are not a point on secp256k1.</exception>
    internal static Secp256k1KeyVerifier Decode(ReadOnlySpan<byte> data)
    {
        BigInteger x, y;
        switch (data.Length)
        {
            case CompressedLength when data[0] is 0x02 or 0x03:
                x = ToInteger(data.Slice(1, CoordinateLength));
                if (x >= P)
                {
                    throw NotOnCurve();
                }

                var rhs = RightHandSide(x);
                y = BigInteger.ModPow(rhs, SqrtExponent, P);
                if (BigInteger.ModPow(y, 2, P) != rhs)
                {
                    throw NotOnCurve();
                }

                if (y.IsEven != (data[0] == 0x02))
                {
                    y = P - y;
                }

                break;

            case UncompressedLength when data[0] == 0x04:
                x = ToInteger(data.Slice(1, CoordinateLength));
                y = ToInteger(data.Slice(1 + CoordinateLength, CoordinateLength));
                if (x >= P || y >= P || BigInteger.ModPow(y, 2, P) != RightHandSide(x))
                {
                    throw NotOnCurve();
                }

                break;

            default:
                throw Error.Format(
                    $"A secp256k1 public key is a {CompressedLength}-byte compressed point (02 or 03 first) " +
                    $"or a {UncompressedLength}-byte uncompressed one (04 first); got {data.Length} bytes.");
        }

        var ecPoint = new ECPoint { X = ToBytes(x), Y = ToBytes(y) };
        return new Secp256k1KeyVerifier(ecPoint, Compress(ecPoint));
    }

    /// <summary>Encodes a point in the 33-byte compressed form.</summary>
    internal static byte[] Compress(ECPoint point)
    {
        var result = new byte[CompressedLength];
        result[0] = (byte)((point.Y![CoordinateLength - 1] & 1) == 0 ? 0x02 : 0x03);
        point.X.AsSpan().CopyTo(result.AsSpan(1 + CoordinateLength - point.X!.Length));
        return result;
    }

    internal override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            using var ecdsa = ECDsa.Create(new ECParameters { Curve = Curve, Q = point });
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            // A platform without secp256k1 (it is not a NIST curve) cannot vouch for the signature:
            // refusing it is the safe answer.
            return false;
        }
    }

    private static BigInteger RightHandSide(BigInteger x) => (BigInteger.ModPow(x, 3, P) + B) % P;

    private static BigInteger ToInteger(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    private static byte[] ToBytes(BigInteger value)
    {
        var result = new byte[CoordinateLength];
        int length = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(result.AsSpan(CoordinateLength - length), out _, isUnsigned: true, isBigEndian: true);
        return result;
    }

    private static FormatException NotOnCurve() => Error.Format("The secp256k1 public key is not a point on the curve.");
}
