using CsCheck;
using Rx.Network.Identity;

namespace Rx.Network.Tests.Identity;

public partial class PeerIdTests
{
    private static readonly Gen<PeerId> GenEd25519PeerId = Gen.Byte.Array[PrivateKey.SeedLength].Select(seed =>
    {
        using var key = PrivateKey.FromSeed(seed);
        return PeerId.FromPublicKey(key.PublicKey);
    });

    private static readonly Gen<PeerId> GenHashedPeerId =
        Gen.Byte.Array[32].Select(digest => PeerId.FromBytes([0x12, 0x20, .. digest]));

    private static readonly Gen<PeerId> GenPeerId = Gen.OneOf(GenEd25519PeerId, GenHashedPeerId);

    private static readonly string[] ValidTexts =
        [SpecEd25519PeerId, SpecSha256PeerId, SpecSha256PeerCid, KeyVectors.Secp256k1PeerId, KeyVectors.Ed25519PeerCid];

    [Fact]
    public void Parse_RoundTripsTextCidAndBytes()
    {
        GenPeerId.Sample(id =>
        {
            Assert.Equal(id, PeerId.Parse(id.ToString()));
            Assert.Equal(id, PeerId.Parse(id.ToCidString()));
            Assert.Equal(id, PeerId.FromBytes(id.ToBytes()));
            Assert.Equal(id.ToString(), PeerId.Parse(id.ToCidString()).ToString());
            Assert.StartsWith("bafz", id.ToCidString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void TryGetPublicKey_Ed25519PeerIds_RecoverTheKey()
    {
        GenEd25519PeerId.Sample(id =>
        {
            var parsed = PeerId.Parse(id.ToString());
            Assert.True(parsed.TryGetPublicKey(out var key));
            Assert.Equal(id, PeerId.FromPublicKey(key));
        });
    }

    [Fact]
    public void Parse_RandomStrings_OnlyFormatException()
    {
        var chars = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl=+/ _-\u00e9\ud83d";
        Gen.OneOf(Gen.String[Gen.Char[chars], 0, 80], Gen.String).Sample(text =>
        {
            PeerId? id = null;
            if (Mutations.ParsesOrRejects(() => id = PeerId.Parse(text)))
            {
                Assert.Equal(id, PeerId.Parse(id!.ToString()));
            }

            Assert.Equal(id is not null, PeerId.TryParse(text, out _));
        }, iter: 3000);
    }

    [Fact]
    public void Parse_MutatedValidTexts_OnlyFormatException()
    {
        Gen.OneOf(ValidTexts).SelectMany(Mutations.Of).Sample(text =>
        {
            PeerId? id = null;
            if (Mutations.ParsesOrRejects(() => id = PeerId.Parse(text)))
            {
                // Whatever was accepted prints canonically and parses back to itself.
                Assert.Equal(id, PeerId.Parse(id!.ToString()));
                Assert.Equal(id, PeerId.FromBytes(id.ToBytes()));
            }
        }, iter: 3000);
    }

    [Fact]
    public void FromBytes_RandomAndMutatedBytes_OnlyFormatException()
    {
        var valid = PeerId.Parse(SpecEd25519PeerId).ToBytes();
        var hashed = PeerId.Parse(SpecSha256PeerId).ToBytes();
        Gen.OneOf(Gen.Byte.Array[0, 80], Mutations.Of(valid), Mutations.Of(hashed)).Sample(bytes =>
        {
            PeerId? id = null;
            if (Mutations.ParsesOrRejects(() => id = PeerId.FromBytes(bytes)))
            {
                Assert.Equal(bytes, id!.ToBytes());
                Assert.Equal(id, PeerId.Parse(id.ToString()));
                // Key recovery on arbitrary inlined bytes never throws.
                id.TryGetPublicKey(out _);
            }
        }, iter: 3000);
    }
}
