using Rx.Network.Identity;

namespace Rx.Network.Tests.Identity;

public partial class PeerIdTests
{
    [Fact]
    public void ExtractPublicKey_SpecEd25519PeerId_GivesKeyThatDerivesIt()
    {
        var id = PeerId.Parse(SpecEd25519PeerId);

        var key = id.ExtractPublicKey();

        Assert.Equal(KeyType.Ed25519, key.Type);
        Assert.Equal(id, PeerId.FromPublicKey(key));
        Assert.True(id.Matches(key));
    }

    [Theory]
    [InlineData(KeyVectors.Ed25519PeerId, KeyVectors.Ed25519Public)]
    [InlineData(KeyVectors.Secp256k1PeerId, KeyVectors.Secp256k1Public)]
    public void TryGetPublicKey_ParsedInlinedPeerId_GivesTheKey(string peerId, string publicKey)
    {
        Assert.True(PeerId.Parse(peerId).TryGetPublicKey(out var key));
        Assert.Equal(Convert.FromHexString(publicKey), key.ToProtobuf());
    }

    [Fact]
    public void TryGetPublicKey_FromPublicKey_GivesTheSameKey()
    {
        using var privateKey = PrivateKey.Generate();
        var id = PeerId.FromPublicKey(privateKey.PublicKey);

        Assert.True(id.IsInlinedKey);
        Assert.True(id.TryGetPublicKey(out var key));
        Assert.Equal(privateKey.PublicKey, key);
        Assert.Equal(privateKey.PublicKey, id.ExtractPublicKey());
    }

    [Theory]
    [InlineData(KeyVectors.RsaPeerId)]
    [InlineData(KeyVectors.EcdsaPeerId)]
    public void TryGetPublicKey_HashedPeerId_ReturnsFalse(string peerId)
    {
        var id = PeerId.Parse(peerId);

        Assert.False(id.IsInlinedKey);
        Assert.False(id.TryGetPublicKey(out var key));
        Assert.Null(key);
        Assert.Throws<InvalidOperationException>(() => id.ExtractPublicKey());
    }

    [Theory]
    [InlineData("0003010203")] // inlined garbage
    [InlineData("0000")] // inlined nothing
    [InlineData("0024" + "12201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e0801")] // fields reordered: not canonical
    public void TryGetPublicKey_InlinedBytesNotACanonicalKey_ReturnsFalse(string hex)
    {
        var id = PeerId.FromBytes(Convert.FromHexString(hex));

        Assert.True(id.IsInlinedKey);
        Assert.False(id.TryGetPublicKey(out var key));
        Assert.Null(key);
        Assert.Throws<FormatException>(() => id.ExtractPublicKey());
    }

    [Fact]
    public void TryGetPublicKey_InlinedKeyLongerThan42Bytes_ReturnsFalse()
    {
        // An ECDSA key inlined: decodable, but its real peer ID is a hash.
        var ecdsa = Convert.FromHexString(KeyVectors.EcdsaPublic);
        var id = PeerId.FromBytes([0x00, (byte)ecdsa.Length, .. ecdsa]);

        Assert.False(id.TryGetPublicKey(out _));
        Assert.Throws<FormatException>(() => id.ExtractPublicKey());
        Assert.False(id.Matches(PublicKey.FromProtobuf(ecdsa)));
    }

    [Fact]
    public void Matches_AnotherKey_ReturnsFalse()
    {
        using var first = PrivateKey.Generate();
        using var second = PrivateKey.Generate();
        var rsa = PublicKey.FromProtobuf(Convert.FromHexString(KeyVectors.RsaPublic));

        Assert.False(PeerId.FromPublicKey(first.PublicKey).Matches(second.PublicKey));
        Assert.False(PeerId.FromPublicKey(first.PublicKey).Matches(rsa));
        Assert.True(PeerId.Parse(KeyVectors.RsaPeerId).Matches(rsa));
        Assert.False(PeerId.Parse(KeyVectors.RsaPeerId).Matches(first.PublicKey));
    }

    [Fact]
    public void FromPublicKey_Ed25519_Uses12D3KooPrefix()
    {
        using var key = PrivateKey.Generate();

        Assert.StartsWith("12D3KooW", PeerId.FromPublicKey(key.PublicKey).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void KeyMembers_NullArguments_ThrowArgumentNull()
    {
        var id = PeerId.Parse(SpecEd25519PeerId);

        Assert.Throws<ArgumentNullException>("publicKey", () => PeerId.FromPublicKey(null!));
        Assert.Throws<ArgumentNullException>("publicKey", () => id.Matches(null!));
    }
}
