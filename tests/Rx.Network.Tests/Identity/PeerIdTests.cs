using Rx.Network.Identity;

namespace Rx.Network.Tests.Identity;

public partial class PeerIdTests
{
    // peer-ids.md, "String representation": the same sha2-256 peer ID, bare and as a CID.
    private const string SpecSha256PeerId = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";
    private const string SpecSha256PeerCid = "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe";
    private const string SpecEd25519PeerId = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

    // A well-known dag-pb (0x70) CIDv1 carrying a sha2-256 multihash: a valid CID, not a peer ID.
    private const string DagPbCid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

    public static TheoryData<string, string, string> SpecVectors => new()
    {
        { KeyVectors.Ed25519Public, KeyVectors.Ed25519PeerId, KeyVectors.Ed25519PeerCid },
        { KeyVectors.Secp256k1Public, KeyVectors.Secp256k1PeerId, KeyVectors.Secp256k1PeerCid },
        { KeyVectors.EcdsaPublic, KeyVectors.EcdsaPeerId, KeyVectors.EcdsaPeerCid },
        { KeyVectors.RsaPublic, KeyVectors.RsaPeerId, KeyVectors.RsaPeerCid },
    };

    [Theory]
    [MemberData(nameof(SpecVectors))]
    public void FromPublicKey_SpecVector_GivesExpectedTextAndCid(string publicKey, string peerId, string cid)
    {
        var key = PublicKey.FromProtobuf(Convert.FromHexString(publicKey));

        var id = PeerId.FromPublicKey(key);

        Assert.Equal(peerId, id.ToString());
        Assert.Equal(cid, id.ToCidString());
        Assert.Equal(id, PeerId.Parse(peerId));
        Assert.Equal(id, PeerId.Parse(cid));
        Assert.True(id.Matches(key));
    }

    [Theory]
    [InlineData(SpecEd25519PeerId, true, 0x00)]
    [InlineData(SpecSha256PeerId, false, 0x12)]
    [InlineData(KeyVectors.Secp256k1PeerId, true, 0x00)]
    public void Parse_Base58_DecodesMultihash(string text, bool inlined, byte code)
    {
        var id = PeerId.Parse(text);

        Assert.Equal(inlined, id.IsInlinedKey);
        Assert.Equal(code, id.Bytes.Span[0]);
        Assert.Equal(text, id.ToString());
        Assert.Equal(id, PeerId.FromBytes(id.ToBytes()));
    }

    [Fact]
    public void Parse_SpecCidAndBase58Forms_AreTheSamePeer()
    {
        var fromCid = PeerId.Parse(SpecSha256PeerCid);

        Assert.Equal(PeerId.Parse(SpecSha256PeerId), fromCid);
        Assert.Equal(SpecSha256PeerId, fromCid.ToString());
        Assert.Equal(SpecSha256PeerCid, fromCid.ToCidString());
    }

    [Fact]
    public void Parse_CidInAnotherMultibase_IsAccepted()
    {
        // 'z' is the base58btc multibase prefix: the same CID bytes as the base32 form.
        var id = PeerId.Parse(SpecSha256PeerId);
        var cidBytes = (byte[])[0x01, 0x72, .. id.ToBytes()];

        Assert.Equal(id, PeerId.Parse("z" + SimpleBase.Base58.Bitcoin.Encode(cidBytes)));
    }

    [Fact]
    public void Parse_CidOfAnotherCodec_ThrowsFormatException()
    {
        var e = Assert.Throws<FormatException>(() => PeerId.Parse(DagPbCid));
        Assert.Contains("0x70", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("Qm")]
    [InlineData("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5")] // one character short
    [InlineData("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5NN")] // one character long
    [InlineData("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx50")] // '0' is not base58
    [InlineData("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA ")]
    [InlineData("xyz")] // not a multibase prefix
    [InlineData("b")] // empty CID
    [InlineData("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqx")] // truncated CID
    [InlineData("bajzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe")] // CID version 2
    [InlineData("bciqj37z3c7luz5gtrjinrnryh2jndanbaok2lzz2ojw4zs6sdp3pboi")] // bare multihash in base32: no CID version
    [InlineData("not a peer id")]
    public void Parse_Malformed_ThrowsFormatException(string text)
    {
        Assert.Throws<FormatException>(() => PeerId.Parse(text));
        Assert.False(PeerId.TryParse(text, out var id));
        Assert.Null(id);
    }

    [Fact]
    public void Parse_TooLong_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => PeerId.Parse("Qm" + new string('a', 1000)));
    }

    [Fact]
    public void TryParse_Valid_ReturnsPeer()
    {
        Assert.True(PeerId.TryParse(SpecEd25519PeerId, out var id));
        Assert.Equal(SpecEd25519PeerId, id.ToString());
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(PeerId.TryParse(null, out var id));
        Assert.Null(id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")] // identity, no length
    [InlineData("0005010203")] // declares 5, carries 3
    [InlineData("122001")] // sha2-256 of 1 byte
    [InlineData("1301aa")] // sha2-512 code: not a peer ID hash
    [InlineData("8000")] // non-minimal varint code
    [InlineData("12200000000000000000000000000000000000000000000000000000000000000000ff")] // trailing byte
    public void FromBytes_Malformed_ThrowsFormatException(string hex)
    {
        Assert.Throws<FormatException>(() => PeerId.FromBytes(Convert.FromHexString(hex)));
    }

    [Fact]
    public void FromBytes_CopiesItsInput()
    {
        var bytes = PeerId.Parse(SpecSha256PeerId).ToBytes();
        var id = PeerId.FromBytes(bytes);

        bytes[5] ^= 0xff;

        Assert.Equal(PeerId.Parse(SpecSha256PeerId), id);
    }

    [Fact]
    public void Equals_SameAndDifferentPeers()
    {
        var a = PeerId.Parse(SpecSha256PeerId);
        var b = PeerId.Parse(SpecSha256PeerCid);
        var c = PeerId.Parse(SpecEd25519PeerId);

        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals(c));
        Assert.True(a != c);
        Assert.False(a.Equals(null));
        Assert.False(a == null);
        Assert.True((PeerId?)null == null);
        Assert.False(a.Equals(SpecSha256PeerId));
    }

    [Fact]
    public void CompareTo_OrdersByBytesAndNullFirst()
    {
        var identity = PeerId.Parse(SpecEd25519PeerId); // starts with 0x00
        var hashed = PeerId.Parse(SpecSha256PeerId); // starts with 0x12
        var same = PeerId.Parse(SpecSha256PeerCid);
        PeerId? none = null;

        Assert.True(identity.CompareTo(hashed) < 0);
        Assert.True(hashed.CompareTo(identity) > 0);
        Assert.Equal(0, hashed.CompareTo(same));
        Assert.True(hashed.CompareTo(null) > 0);
        Assert.True(identity < hashed);
        Assert.True(hashed > identity);
        Assert.True(hashed <= same);
        Assert.True(hashed >= same);
        Assert.False(hashed < same);
        Assert.True(none < identity);
        Assert.False(identity < none);
        Assert.True(none <= (PeerId?)null);
        Assert.Equal([identity, hashed], new[] { hashed, identity }.Order());
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>("text", () => PeerId.Parse(null!));
    }
}
