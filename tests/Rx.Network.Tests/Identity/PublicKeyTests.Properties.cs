using CsCheck;
using Rx.Network.Identity;

namespace Rx.Network.Tests.Identity;

public partial class PublicKeyTests
{
    private static readonly string[] AllVectors =
        [KeyVectors.Ed25519Public, KeyVectors.Secp256k1Public, KeyVectors.EcdsaPublic, KeyVectors.RsaPublic];

    [Fact]
    public void FromProtobuf_Ed25519Keys_RoundTrip()
    {
        Gen.Byte.Array[PrivateKey.SeedLength].Sample(seed =>
        {
            using var privateKey = PrivateKey.FromSeed(seed);
            var key = privateKey.PublicKey;

            var decoded = PublicKey.FromProtobuf(key.ToProtobuf());

            Assert.Equal(key, decoded);
            Assert.Equal(key.ToProtobuf(), decoded.ToProtobuf());
            Assert.Equal(key, PublicKey.FromRawBytes(KeyType.Ed25519, key.RawBytes.Span));
        });
    }

    [Fact]
    public void FromProtobuf_RandomBytes_OnlyFormatException()
    {
        Gen.Byte.Array[0, 128].Sample(bytes => { Mutations.ParsesOrRejects(() => PublicKey.FromProtobuf(bytes)); }, iter: 2000);
    }

    [Fact]
    public void FromProtobuf_RandomKeyData_OnlyFormatException()
    {
        // A valid header with random Data reaches every key decoder.
        Gen.Select(Gen.Int[0, 3], Gen.Byte.Array[0, 120]).Sample((type, data) =>
        {
            Mutations.ParsesOrRejects(() => PublicKey.FromProtobuf(Protobuf((KeyType)type, data)));
        }, iter: 2000);
    }

    [Fact]
    public void FromProtobuf_MutatedVectors_OnlyFormatExceptionAndCanonicalWhenAccepted()
    {
        Gen.OneOf(AllVectors).SelectMany(hex => Mutations.Of(Convert.FromHexString(hex))).Sample(bytes =>
        {
            PublicKey? key = null;
            if (Mutations.ParsesOrRejects(() => key = PublicKey.FromProtobuf(bytes)))
            {
                Assert.Equal(key, PublicKey.FromProtobuf(key!.ToProtobuf()));
            }
        }, iter: 1000);
    }

    [Fact]
    public void Verify_RandomSignatures_ReturnFalse()
    {
        var keys = AllVectors.Select(hex => PublicKey.FromProtobuf(Convert.FromHexString(hex))).ToArray();
        Gen.Select(Gen.Int[0, keys.Length - 1], Gen.Byte.Array[0, 64], Gen.Byte.Array[0, 600]).Sample((index, data, signature) =>
        {
            Assert.False(keys[index].Verify(data, signature));
        }, iter: 500);
    }

    [Fact]
    public void Verify_Ed25519SignaturesOfTheRightLength_RandomOnesReturnFalse()
    {
        var key = PublicKey.FromProtobuf(Convert.FromHexString(KeyVectors.Ed25519Public));
        Gen.Select(Gen.Byte.Array[0, 64], Gen.Byte.Array[64]).Sample((data, signature) =>
        {
            Assert.False(key.Verify(data, signature));
        }, iter: 1000);
    }
}
