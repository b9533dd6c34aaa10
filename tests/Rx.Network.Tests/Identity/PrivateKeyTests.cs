using CsCheck;
using Google.Protobuf;
using Rx.Network.Identity;
using Proto = Rx.Network.Encoding.Proto;

namespace Rx.Network.Tests.Identity;

public class PrivateKeyTests
{
    // RFC 8032, section 7.1, TEST 2.
    private const string Rfc8032Seed = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
    private const string Rfc8032Public = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    private const string Rfc8032Signature =
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

    [Fact]
    public void FromSeed_Rfc8032Vector_DerivesPublicKeyAndSignsDeterministically()
    {
        using var key = PrivateKey.FromSeed(Convert.FromHexString(Rfc8032Seed));

        Assert.Equal(KeyType.Ed25519, key.Type);
        Assert.Equal(Rfc8032Public, Convert.ToHexStringLower(key.PublicKey.RawBytes.Span));
        Assert.Equal(Rfc8032Signature, Convert.ToHexStringLower(key.Sign([0x72])));
    }

    [Fact]
    public void FromProtobuf_SpecVector_MatchesPublicVectorAndReencodesIdentically()
    {
        var bytes = Convert.FromHexString(KeyVectors.Ed25519Private);

        using var key = PrivateKey.FromProtobuf(bytes);

        Assert.Equal(Convert.FromHexString(KeyVectors.Ed25519Public), key.PublicKey.ToProtobuf());
        Assert.Equal(bytes, key.ToProtobuf());
    }

    [Fact]
    public void FromProtobuf_LegacyNinetySixByteForm_IsAccepted()
    {
        var data = KeyVectors.Data(KeyVectors.Ed25519Private, 4);

        using var key = PrivateKey.FromProtobuf(Protobuf(KeyType.Ed25519, [.. data, .. data[32..]]));

        Assert.Equal(Convert.FromHexString(KeyVectors.Ed25519Private), key.ToProtobuf());
    }

    [Fact]
    public void FromProtobuf_LegacyFormWithDifferentPublicKeys_ThrowsFormatException()
    {
        var data = KeyVectors.Data(KeyVectors.Ed25519Private, 4);
        byte[] legacy = [.. data, .. data[32..]];
        legacy[^1] ^= 1;

        Assert.Throws<FormatException>(() => PrivateKey.FromProtobuf(Protobuf(KeyType.Ed25519, legacy)));
    }

    [Fact]
    public void FromProtobuf_PublicKeyNotFromSeed_ThrowsFormatException()
    {
        var data = KeyVectors.Data(KeyVectors.Ed25519Private, 4);
        data[^1] ^= 1;

        Assert.Throws<FormatException>(() => PrivateKey.FromProtobuf(Protobuf(KeyType.Ed25519, data)));
    }

    [Theory]
    [InlineData(KeyVectors.Secp256k1Private)]
    [InlineData(KeyVectors.EcdsaPrivate)]
    [InlineData(KeyVectors.RsaPrivate)]
    public void FromProtobuf_OtherKeyTypes_ThrowFormatException(string hex)
    {
        var e = Assert.Throws<FormatException>(() => PrivateKey.FromProtobuf(Convert.FromHexString(hex)));
        Assert.Contains("Ed25519", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0801")]
    [InlineData("1240")]
    [InlineData("08011220" + "7e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d")] // seed only
    [InlineData("08011241")]
    [InlineData("0809")]
    public void FromProtobuf_Malformed_ThrowsFormatException(string hex)
    {
        Assert.Throws<FormatException>(() => PrivateKey.FromProtobuf(Convert.FromHexString(hex)));
    }

    [Fact]
    public void Generate_TwoKeys_DifferAndSignVerifiably()
    {
        using var first = PrivateKey.Generate();
        using var second = PrivateKey.Generate();
        var data = "hello"u8.ToArray();

        var signature = first.Sign(data);

        Assert.NotEqual(first.PublicKey, second.PublicKey);
        Assert.Equal(64, signature.Length);
        Assert.True(first.PublicKey.Verify(data, signature));
        Assert.False(second.PublicKey.Verify(data, signature));
        Assert.False(first.PublicKey.Verify("hellO"u8, signature));
    }

    [Fact]
    public void Dispose_ThenSignOrExport_ThrowsObjectDisposedButPublicKeyStaysUsable()
    {
        var key = PrivateKey.Generate();
        var signature = key.Sign([1, 2, 3]);

        key.Dispose();
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.Sign([1, 2, 3]));
        Assert.Throws<ObjectDisposedException>(() => key.ToProtobuf());
        Assert.True(key.PublicKey.Verify([1, 2, 3], signature));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void FromSeed_WrongLength_ThrowsArgumentException(int length)
    {
        Assert.Throws<ArgumentException>("seed", () => PrivateKey.FromSeed(new byte[length]));
    }

    [Fact]
    public void ToProtobuf_RandomSeeds_RoundTrip()
    {
        Gen.Select(Gen.Byte.Array[PrivateKey.SeedLength], Gen.Byte.Array[0, 100]).Sample((seed, data) =>
        {
            using var key = PrivateKey.FromSeed(seed);
            var encoded = key.ToProtobuf();

            using var decoded = PrivateKey.FromProtobuf(encoded);

            Assert.Equal(seed, encoded[4..36]);
            Assert.Equal(key.PublicKey, decoded.PublicKey);
            Assert.Equal(key.Sign(data), decoded.Sign(data));
            Assert.True(decoded.PublicKey.Verify(data, key.Sign(data)));
        });
    }

    [Fact]
    public void FromProtobuf_RandomBytes_OnlyFormatException()
    {
        Gen.Byte.Array[0, 128].Sample(bytes => { Mutations.ParsesOrRejects(() => PrivateKey.FromProtobuf(bytes)?.Dispose()); }, iter: 2000);
    }

    [Fact]
    public void FromProtobuf_MutatedVector_OnlyFormatException()
    {
        Mutations.Of(Convert.FromHexString(KeyVectors.Ed25519Private)).Sample(bytes =>
        {
            Mutations.ParsesOrRejects(() => PrivateKey.FromProtobuf(bytes).Dispose());
        }, iter: 2000);
    }

    private static byte[] Protobuf(KeyType type, byte[] data) =>
        new Proto.PrivateKey { Type = (Proto.KeyType)type, Data = ByteString.CopyFrom(data) }.ToByteArray();
}
