using System.Formats.Asn1;
using System.Security.Cryptography;
using Google.Protobuf;
using Rx.Network.Identity;
using Proto = Rx.Network.Encoding.Proto;

namespace Rx.Network.Tests.Identity;

public partial class PublicKeyTests
{
    public static TheoryData<string, KeyType, int> SpecVectors => new()
    {
        { KeyVectors.Ed25519Public, KeyType.Ed25519, 32 },
        { KeyVectors.Secp256k1Public, KeyType.Secp256k1, 33 },
        { KeyVectors.EcdsaPublic, KeyType.Ecdsa, 91 },
        { KeyVectors.RsaPublic, KeyType.Rsa, 550 },
    };

    // RFC 8032, section 7.1, TEST 1 to 3: public key, message, signature.
    public static TheoryData<string, string, string> Rfc8032Vectors => new()
    {
        {
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        },
        {
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        },
        {
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        },
    };

    private static readonly byte[] Message = "libp2p signs this"u8.ToArray();

    [Theory]
    [MemberData(nameof(SpecVectors))]
    public void FromProtobuf_SpecVector_DecodesAndReencodesIdentically(string hex, KeyType type, int rawLength)
    {
        var bytes = Convert.FromHexString(hex);

        var key = PublicKey.FromProtobuf(bytes);

        Assert.Equal(type, key.Type);
        Assert.Equal(rawLength, key.RawBytes.Length);
        Assert.Equal(bytes, key.ToProtobuf());
        Assert.Equal(key, PublicKey.FromRawBytes(type, key.RawBytes.Span));
    }

    [Fact]
    public void RawBytes_Ed25519Vector_IsTheRawKey()
    {
        var key = PublicKey.FromProtobuf(Convert.FromHexString(KeyVectors.Ed25519Public));

        Assert.Equal("1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e", Convert.ToHexStringLower(key.RawBytes.Span));
    }

    [Fact]
    public void KeyType_Values_AreTheWireNumbers()
    {
        Assert.Equal(0, (int)KeyType.Rsa);
        Assert.Equal(1, (int)KeyType.Ed25519);
        Assert.Equal(2, (int)KeyType.Secp256k1);
        Assert.Equal(3, (int)KeyType.Ecdsa);
    }

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Verify_Rfc8032Vector_AcceptsAndRejectsTampering(string publicKey, string message, string signature)
    {
        var key = PublicKey.FromRawBytes(KeyType.Ed25519, Convert.FromHexString(publicKey));
        var data = Convert.FromHexString(message);
        var sig = Convert.FromHexString(signature);

        Assert.True(key.Verify(data, sig));
        Assert.False(key.Verify([.. data, 0], sig));
        sig[10] ^= 1;
        Assert.False(key.Verify(data, sig));
    }

    [Fact]
    public void Verify_RsaSpecVectorKey_ChecksRealSignatures()
    {
        using var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(KeyVectors.Data(KeyVectors.RsaPrivate, 5), out _);
        var key = PublicKey.FromProtobuf(Convert.FromHexString(KeyVectors.RsaPublic));

        AssertVerifies(key, rsa.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        // PSS is not the libp2p scheme.
        Assert.False(key.Verify(Message, rsa.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)));
    }

    [Fact]
    public void Verify_GeneratedRsaKey_ChecksRealSignatures()
    {
        using var rsa = RSA.Create(2048);
        var key = PublicKey.FromProtobuf(Protobuf(KeyType.Rsa, rsa.ExportSubjectPublicKeyInfo()));

        Assert.Equal(KeyType.Rsa, key.Type);
        AssertVerifies(key, rsa.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Verify_EcdsaSpecVectorKey_ChecksRealSignatures()
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportECPrivateKey(KeyVectors.Data(KeyVectors.EcdsaPrivate, 4), out _);
        var key = PublicKey.FromProtobuf(Convert.FromHexString(KeyVectors.EcdsaPublic));

        Assert.Equal(ecdsa.ExportSubjectPublicKeyInfo(), key.RawBytes.ToArray());
        AssertVerifies(key, ecdsa.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        // The raw r ‖ s form is not the libp2p encoding.
        Assert.False(key.Verify(Message, ecdsa.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)));
    }

    [Theory]
    [InlineData("nistP256")]
    [InlineData("nistP384")]
    [InlineData("nistP521")]
    public void Verify_GeneratedEcdsaKey_ChecksRealSignatures(string curve)
    {
        using var ecdsa = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        var key = PublicKey.FromProtobuf(Protobuf(KeyType.Ecdsa, ecdsa.ExportSubjectPublicKeyInfo()));

        Assert.Equal(KeyType.Ecdsa, key.Type);
        // libp2p hashes with SHA-256 whatever the curve.
        AssertVerifies(key, ecdsa.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Verify_Secp256k1SpecVectorKey_ChecksRealSignatures()
    {
        using var ecdsa = ECDsa.Create(new ECParameters { Curve = Secp256k1, D = KeyVectors.Data(KeyVectors.Secp256k1Private, 4) });
        var key = PublicKey.FromProtobuf(Convert.FromHexString(KeyVectors.Secp256k1Public));

        Assert.Equal(Compress(ecdsa.ExportParameters(false).Q), key.RawBytes.ToArray());
        AssertVerifies(key, ecdsa.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Verify_GeneratedSecp256k1Keys_BothPointParities_ChecksRealSignatures()
    {
        var parities = new HashSet<byte>();
        for (int i = 0; i < 64 && parities.Count < 2; i++)
        {
            using var ecdsa = ECDsa.Create(Secp256k1);
            var compressed = Compress(ecdsa.ExportParameters(false).Q);
            parities.Add(compressed[0]);

            var key = PublicKey.FromProtobuf(Protobuf(KeyType.Secp256k1, compressed));

            Assert.Equal(compressed, key.RawBytes.ToArray());
            AssertVerifies(key, ecdsa.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }

        Assert.Equal(2, parities.Count);
    }

    [Fact]
    public void FromRawBytes_UncompressedSecp256k1_IsStoredCompressed()
    {
        using var ecdsa = ECDsa.Create(Secp256k1);
        var q = ecdsa.ExportParameters(false).Q;

        var key = PublicKey.FromRawBytes(KeyType.Secp256k1, [0x04, .. q.X!, .. q.Y!]);

        Assert.Equal(Compress(q), key.RawBytes.ToArray());
        Assert.Equal(PublicKey.FromRawBytes(KeyType.Secp256k1, Compress(q)), key);
        AssertVerifies(key, ecdsa.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Theory]
    [InlineData("02" + "0000000000000000000000000000000000000000000000000000000000000005")] // x^3 + 7 is not a square
    [InlineData("03" + "0000000000000000000000000000000000000000000000000000000000000007")]
    [InlineData("02" + "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc30")] // x = p + 1 is not a field element
    [InlineData("05" + "0000000000000000000000000000000000000000000000000000000000000001")] // unknown prefix
    [InlineData("037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca")] // 32 bytes
    public void FromRawBytes_BadSecp256k1Point_ThrowsFormatException(string hex)
    {
        Assert.Throws<FormatException>(() => PublicKey.FromRawBytes(KeyType.Secp256k1, Convert.FromHexString(hex)));
    }

    [Fact]
    public void FromRawBytes_UncompressedSecp256k1OffTheCurve_ThrowsFormatException()
    {
        using var ecdsa = ECDsa.Create(Secp256k1);
        var q = ecdsa.ExportParameters(false).Q;
        q.Y![^1] ^= 1;

        Assert.Throws<FormatException>(() => PublicKey.FromRawBytes(KeyType.Secp256k1, [0x04, .. q.X!, .. q.Y]));
    }

    [Fact]
    public void FromRawBytes_RsaBelow2048Bits_ThrowsFormatException()
    {
        using var rsa = RSA.Create(1024);

        Assert.Throws<FormatException>(() => PublicKey.FromRawBytes(KeyType.Rsa, rsa.ExportSubjectPublicKeyInfo()));
    }

    [Theory]
    [InlineData(8200, new byte[] { 1, 0, 1 })]
    [InlineData(2048, new byte[] { 1 })]
    [InlineData(2048, new byte[] { 1, 0, 0 })]
    [InlineData(2048, new byte[] { 1, 0, 0, 0, 1 })]
    public void FromRawBytes_RsaModulusOrExponentOutOfBounds_ThrowsFormatException(int modulusBits, byte[] exponent)
    {
        // Written by hand (.NET refuses to export such keys); the modulus need not be a real RSA
        // modulus, only the bounds are under test.
        var modulus = RandomNumberGenerator.GetBytes(modulusBits / 8);
        modulus[0] |= 0x80;
        modulus[^1] |= 1;

        Assert.Throws<FormatException>(() => PublicKey.FromRawBytes(KeyType.Rsa, RsaSpki(modulus, exponent)));
    }

    [Fact]
    public void FromRawBytes_HandWrittenRsaSpki_MatchesDotNetEncoding()
    {
        // Guards the helper above: for a valid key it writes what .NET writes.
        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(false);

        var key = PublicKey.FromRawBytes(KeyType.Rsa, RsaSpki(parameters.Modulus!, parameters.Exponent!));

        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), key.RawBytes.ToArray());
    }

    [Fact]
    public void FromRawBytes_EcdsaOnSecp256k1_ThrowsFormatException()
    {
        using var ecdsa = ECDsa.Create(Secp256k1);

        Assert.Throws<FormatException>(() => PublicKey.FromRawBytes(KeyType.Ecdsa, ecdsa.ExportSubjectPublicKeyInfo()));
    }

    [Fact]
    public void FromRawBytes_RsaKeyAsEcdsa_ThrowsFormatException()
    {
        var rsaSpki = PublicKey.FromProtobuf(Convert.FromHexString(KeyVectors.RsaPublic)).RawBytes.ToArray();

        Assert.Throws<FormatException>(() => PublicKey.FromRawBytes(KeyType.Ecdsa, rsaSpki));
        Assert.Throws<FormatException>(() => PublicKey.FromRawBytes(KeyType.Ed25519, rsaSpki));
    }

    [Theory]
    [InlineData(KeyType.Rsa)]
    [InlineData(KeyType.Ecdsa)]
    public void FromRawBytes_DerWithTrailingBytes_ThrowsFormatException(KeyType type)
    {
        var hex = type == KeyType.Rsa ? KeyVectors.RsaPublic : KeyVectors.EcdsaPublic;
        var raw = PublicKey.FromProtobuf(Convert.FromHexString(hex)).RawBytes.ToArray();

        Assert.Throws<FormatException>(() => PublicKey.FromRawBytes(type, [.. raw, 0]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void FromRawBytes_Ed25519OfWrongLength_ThrowsFormatException(int length)
    {
        Assert.Throws<FormatException>(() => PublicKey.FromRawBytes(KeyType.Ed25519, new byte[length]));
    }

    [Theory]
    [InlineData("")] // both fields missing
    [InlineData("0801")] // Data missing
    [InlineData("1220" + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")] // Type missing
    [InlineData("080712201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")] // unknown type 7
    [InlineData("0801122101ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")] // Data overruns
    [InlineData("08011220")] // Data truncated
    [InlineData("08ff")] // truncated varint
    [InlineData("ff")] // invalid tag
    public void FromProtobuf_Malformed_ThrowsFormatException(string hex)
    {
        Assert.Throws<FormatException>(() => PublicKey.FromProtobuf(Convert.FromHexString(hex)));
    }

    [Fact]
    public void FromProtobuf_AboveMaxEncodedLength_ThrowsFormatException()
    {
        var huge = Protobuf(KeyType.Rsa, new byte[PublicKey.MaxEncodedLength]);

        Assert.Throws<FormatException>(() => PublicKey.FromProtobuf(huge));
    }

    [Fact]
    public void FromProtobuf_FieldsReorderedOrUnknownField_DecodesAndReencodesCanonically()
    {
        var canonical = Convert.FromHexString(KeyVectors.Ed25519Public);
        byte[] reordered = [.. canonical[2..], .. canonical[..2]];
        byte[] withUnknownField = [.. canonical, 0x18, 0x05];

        Assert.Equal(canonical, PublicKey.FromProtobuf(reordered).ToProtobuf());
        Assert.Equal(canonical, PublicKey.FromProtobuf(withUnknownField).ToProtobuf());
    }

    [Theory]
    [MemberData(nameof(SpecVectors))]
    public void Verify_MalformedSignatures_ReturnFalse(string hex, KeyType type, int rawLength)
    {
        _ = (type, rawLength);
        var key = PublicKey.FromProtobuf(Convert.FromHexString(hex));

        Assert.False(key.Verify(Message, []));
        Assert.False(key.Verify(Message, new byte[64]));
        Assert.False(key.Verify(Message, [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]));
        Assert.False(key.Verify(Message, new byte[1024]));
    }

    [Fact]
    public void Equals_SameKeyDifferentSources_AreEqual()
    {
        var fromProtobuf = PublicKey.FromProtobuf(Convert.FromHexString(KeyVectors.Ed25519Public));
        var fromRaw = PublicKey.FromRawBytes(KeyType.Ed25519, fromProtobuf.RawBytes.Span);
        var other = PublicKey.FromProtobuf(Convert.FromHexString(KeyVectors.Secp256k1Public));

        Assert.True(fromProtobuf.Equals(fromRaw));
        Assert.True(fromProtobuf == fromRaw);
        Assert.False(fromProtobuf != fromRaw);
        Assert.Equal(fromProtobuf.GetHashCode(), fromRaw.GetHashCode());
        Assert.True(fromProtobuf.Equals((object)fromRaw));
        Assert.False(fromProtobuf.Equals(other));
        Assert.True(fromProtobuf != other);
        Assert.False(fromProtobuf.Equals(null));
        Assert.False(fromProtobuf == null);
        Assert.False(fromProtobuf.Equals("not a key"));
    }

    [Fact]
    public void ToProtobuf_ReturnsACopy()
    {
        var key = PublicKey.FromProtobuf(Convert.FromHexString(KeyVectors.Ed25519Public));

        key.ToProtobuf()[5] ^= 0xff;

        Assert.Equal(Convert.FromHexString(KeyVectors.Ed25519Public), key.ToProtobuf());
    }

    [Fact]
    public void ToString_NamesTypeAndBytes()
    {
        var key = PublicKey.FromProtobuf(Convert.FromHexString(KeyVectors.Ed25519Public));

        Assert.StartsWith("Ed25519 1ed1e8fae2c4a144", key.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FromRawBytes_UndefinedKeyType_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PublicKey.FromRawBytes((KeyType)4, new byte[32]));
    }

    /// <summary>PKIX SubjectPublicKeyInfo for rsaEncryption (RFC 3279, section 2.3.1).</summary>
    private static byte[] RsaSpki(byte[] modulus, byte[] exponent)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.1.1");
                writer.WriteNull();
            }

            var key = new AsnWriter(AsnEncodingRules.DER);
            using (key.PushSequence())
            {
                key.WriteIntegerUnsigned(modulus);
                key.WriteIntegerUnsigned(exponent);
            }

            writer.WriteBitString(key.Encode());
        }

        return writer.Encode();
    }

    internal static ECCurve Secp256k1 => ECCurve.CreateFromValue("1.3.132.0.10");

    internal static byte[] Protobuf(KeyType type, byte[] data) =>
        new Proto.PublicKey { Type = (Proto.KeyType)type, Data = ByteString.CopyFrom(data) }.ToByteArray();

    internal static byte[] Compress(ECPoint q) => [(byte)((q.Y![^1] & 1) == 0 ? 0x02 : 0x03), .. q.X!];

    private static void AssertVerifies(PublicKey key, byte[] signature)
    {
        Assert.True(key.Verify(Message, signature));
        Assert.False(key.Verify([.. Message, 0], signature));
        Assert.False(key.Verify(Message.AsSpan(1), signature));
        var tampered = (byte[])signature.Clone();
        tampered[^1] ^= 0x01;
        Assert.False(key.Verify(Message, tampered));
    }
}
