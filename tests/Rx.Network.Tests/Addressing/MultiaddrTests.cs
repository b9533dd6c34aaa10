using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Tests.Addressing;

public sealed partial class MultiaddrTests
{
    private const string QmPeer = "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC";
    private const string QmPeerHex = "1220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b";
    private const string EdPeer = "12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV";
    private const string EdPeerHex = "0024080112202d3de6d16ae87f7a933fe1552162a2d3f04951e90e8051e4ee2c18f002dd0fb4";

    [Fact]
    public void Empty_IsEmptyAndPrintsSlash()
    {
        Assert.True(Multiaddr.Empty.IsEmpty);
        Assert.Empty(Multiaddr.Empty.Components);
        Assert.Empty(Multiaddr.Empty.Protocols);
        Assert.Equal(0, Multiaddr.Empty.Bytes.Length);
        Assert.Equal("/", Multiaddr.Empty.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("////////")]
    public void Parse_EmptyForms_GiveEmpty(string text)
    {
        Assert.Same(Multiaddr.Empty, Multiaddr.Parse(text));
    }

    [Fact]
    public void FromBytes_NoBytes_GivesEmpty()
    {
        Assert.Same(Multiaddr.Empty, Multiaddr.FromBytes([]));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Parse_ReferenceVector_EncodesToExpectedBytes(string text, string hex)
    {
        var address = Multiaddr.Parse(text);

        Assert.Equal(hex, Convert.ToHexStringLower(address.ToBytes()));
        Assert.Equal(text, address.ToString());
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void FromBytes_ReferenceVector_DecodesToExpectedText(string text, string hex)
    {
        var address = Multiaddr.FromBytes(Convert.FromHexString(hex));

        Assert.Equal(text, address.ToString());
        Assert.Equal(Multiaddr.Parse(text), address);
    }

    [Theory]
    [MemberData(nameof(ValidFromGoSuite))]
    public void Parse_ValidAddress_RoundTripsThroughTextAndBytes(string text)
    {
        var address = Multiaddr.Parse(text);

        Assert.Equal(text, address.ToString());
        var decoded = Multiaddr.FromBytes(address.Bytes.Span);
        Assert.Equal(address, decoded);
        Assert.Equal(text, decoded.ToString());
    }

    [Theory]
    [MemberData(nameof(InvalidText))]
    public void Parse_InvalidAddress_ThrowsFormatException(string text)
    {
        Assert.ThrowsAny<FormatException>(() => Multiaddr.Parse(text));
        Assert.False(Multiaddr.TryParse(text, out var address));
        Assert.Null(address);
    }

    [Theory]
    // ipfs is read as p2p; CIDv1 peer IDs (base32 and base36) are written in base58btc.
    [InlineData("/ipfs/" + QmPeer, "/p2p/" + QmPeer)]
    [InlineData("/ip4/127.0.0.1/ipfs/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7/tcp/1234", "/ip4/127.0.0.1/p2p/" + QmPeer + "/tcp/1234")]
    [InlineData("/p2p/bafzbeigvf25ytwc3akrijfecaotc74udrhcxzh2cx3we5qqnw5vgrei4bm", "/p2p/" + QmPeer)]
    [InlineData("/p2p/k51qzi5uqu5dhb6l8spkdx7yxafegfkee5by8h7lmjh2ehc2sgg34z7c15vzqs", "/p2p/" + EdPeer)]
    [InlineData("/p2p/bafzaajaiaejcalj543iwv2d7pkjt7ykvefrkfu7qjfi6sduakhso4lay6abn2d5u", "/p2p/" + EdPeer)]
    [InlineData("/ipfs/bafzbeidt255unskpefjmqb2rc27vjuyxopkxgaylxij6pw35hhys4vnyp4", "/p2p/QmW8rAgaaA6sRydK1k6vonShQME47aDxaFidbtMevWs73t")]
    // IPv6 normalisation: js-multiaddr's "normalize" cases.
    [InlineData("/ip6/0001:08a0:00c5:4201:3ac9:86ff:fe31:0709", "/ip6/1:8a0:c5:4201:3ac9:86ff:fe31:709")]
    [InlineData("/ip6/0000:0000:0000:0000:0000:0000:0000:0001", "/ip6/::1")]
    [InlineData("/ip6/::00:0:000:0:001", "/ip6/::1")]
    [InlineData("/ip6/::101.45.75.219/tcp/9090", "/ip6/::652d:4bdb/tcp/9090")]
    [InlineData("/ip6/::1.45.5.219/tcp/9090", "/ip6/::12d:5db/tcp/9090")]
    [InlineData("/ip6/0:00:0000:0002:0000:059c:0a24:0801/tcp/64142", "/ip6/::2:0:59c:a24:801/tcp/64142")]
    // IPv4-mapped: js-multiaddr's form, not go-multiaddr's ::ffff:127.0.0.1.
    [InlineData("/ip6/::ffff:127.0.0.1/tcp/111", "/ip6/::ffff:7f00:1/tcp/111")]
    [InlineData("/ip6/2001:DB8::A", "/ip6/2001:db8::a")]
    [InlineData("/ip6/1:0:0:2:0:0:0:3", "/ip6/1:0:0:2::3")]
    [InlineData("/ip6/1:0:0:2:3:0:0:4", "/ip6/1::2:3:0:0:4")]
    [InlineData("/ip6/1:2:3:4:5:6:7:0", "/ip6/1:2:3:4:5:6:7:0")]
    [InlineData("/ip6/1:0:2:3:4:5:6:7", "/ip6/1:0:2:3:4:5:6:7")]
    [InlineData("/ip6/1::", "/ip6/1::")]
    [InlineData("/ip6/::", "/ip6/::")]
    // Trailing slashes are ignored, ports lose leading zeros (go-multiaddr reads them).
    [InlineData("/ip4/127.0.0.1/tcp/1234/", "/ip4/127.0.0.1/tcp/1234")]
    [InlineData("/ip4/127.0.0.1/tcp/01234///", "/ip4/127.0.0.1/tcp/1234")]
    [InlineData("/unix/tmp/dir/", "/unix/tmp/dir")]
    // js-multiaddr's percent-encoded unix path.
    [InlineData("/unix/%2Ftmp%2Fp2p.sock", "/unix/tmp/p2p.sock")]
    [InlineData("/ip4/0.0.0.0/tcp/8000/unix/%2ftmp%2fp2p%20x.sock", "/ip4/0.0.0.0/tcp/8000/unix/tmp/p2p x.sock")]
    // Any multibase for certhash; written as base64url.
    [InlineData("/certhash/zQmbWTwYGcmdyK9CYfNBcfs9nhZs17a6FQ4Y8oea278xx41", "/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g")]
    [InlineData("/certhash/b2uaraocy6yrdblb4sfptaddgimjmmpy", "/certhash/u1QEQOFj2IjCsPJFfMAxmQxLGPw")]
    [InlineData("/certhash/mEgQAAQID", "/certhash/uEgQAAQID")]
    [InlineData("/certhash/UEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g==", "/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g")]
    [InlineData("/certhash/f1220c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2", "/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g")]
    // Base64url text whose length is a multiple of four (SimpleBase 5.6.4 cannot decode it).
    [InlineData("/certhash/uEgQAAQID", "/certhash/uEgQAAQID")]
    public void Parse_NonCanonicalText_PrintsCanonicalForm(string input, string canonical)
    {
        var address = Multiaddr.Parse(input);

        Assert.Equal(canonical, address.ToString());
        Assert.Equal(address, Multiaddr.Parse(canonical));
    }

    [Fact]
    public void Parse_UnixPathWhoseGoFormLooksPercentEncoded_RoundTrips()
    {
        // A literal "%2F" at the start of a one-segment path would be read as js-multiaddr's form,
        // so it is written in that form instead.
        var address = Multiaddr.FromBytes(Convert.FromHexString("9003" + "05" + "2f25324678"));

        Assert.Equal("/unix/%2F%252Fx", address.ToString());
        Assert.Equal(address, Multiaddr.Parse(address.ToString()));
        Assert.Equal("/%2Fx"u8.ToArray(), address.Components[0].RawValue.ToArray());
    }

    [Fact]
    public void Parse_NonAsciiName_EncodesUtf8()
    {
        var address = Multiaddr.Parse("/dns/bücher.example/tcp/80");

        Assert.Equal("350f" + Convert.ToHexStringLower("bücher.example"u8) + "060050", Convert.ToHexStringLower(address.Bytes.Span));
        Assert.Equal("/dns/bücher.example/tcp/80", Multiaddr.FromBytes(address.Bytes.Span).ToString());
    }

    [Fact]
    public void Parse_UnpairedSurrogate_Throws()
    {
        // Not theory data: xunit would replace the lone surrogate while serialising the case.
        Assert.Throws<FormatException>(() => Multiaddr.Parse("/dns/\ud800.example"));
        Assert.Throws<FormatException>(() => Multiaddr.Parse("/unix/tmp/\udc00"));
        Assert.Throws<FormatException>(() => Multiaddr.Parse("/unix/%2Ftmp%2F\udc00"));
        Assert.Throws<FormatException>(() => Multiaddr.Parse("/p2p/1\ud800"));
    }

    [Fact]
    public void Parse_TextOverLimit_Throws()
    {
        var text = "/dns/" + new string('a', Multiaddr.MaxTextLength);

        Assert.Throws<FormatException>(() => Multiaddr.Parse(text));
    }

    [Fact]
    public void Parse_EncodedOverLimit_Throws()
    {
        // Each /dns/<250 chars> is 253 bytes; four fit in 1024 bytes, five do not.
        var component = "/dns/" + new string('a', 250);
        var fits = string.Concat(Enumerable.Repeat(component, 4));

        Assert.Equal(4 * 253, Multiaddr.Parse(fits).Bytes.Length);
        Assert.Throws<FormatException>(() => Multiaddr.Parse(fits + component));
    }

    [Theory]
    // Unknown code, truncated values, bad lengths, and go-multiaddr's TestInvalidP2PAddrBytes.
    [InlineData("07")]
    [InlineData("ff")]
    [InlineData("8080808080808080808001")]
    [InlineData("ffffffff0f")]
    [InlineData("04")]
    [InlineData("047f0000")]
    [InlineData("047f0000010610")]
    [InlineData("8400")]
    [InlineData("3500")]
    [InlineData("3505616263")]
    [InlineData("35ff")]
    [InlineData("358000")]
    [InlineData("3580016161")]
    [InlineData("a503221221c05877cbae039d70a5e600ea02c6f9f2942439285c9e344e26f8d280c850fad6")]
    [InlineData("a50322122fc05877cbae039d70a5e600ea02c6f9f2942439285c9e344e26f8d280c850fad6")]
    [InlineData("a50301ff")]
    [InlineData("a503022000")]
    // A name with '/' or malformed UTF-8, an empty zone, an invalid certhash.
    [InlineData("3503612f62")]
    [InlineData("3502c328")]
    [InlineData("2a00")]
    [InlineData("d2030112")]
    [InlineData("d20303122001")]
    // Unix paths: relative, trailing slash, too short, and a component after one.
    [InlineData("900303612f62")]
    [InlineData("9003032f612f")]
    [InlineData("9003012f")]
    [InlineData("9003022f61" + "0601bb")]
    public void FromBytes_InvalidBytes_ThrowsProtocolViolation(string hex)
    {
        var bytes = Convert.FromHexString(hex);

        Assert.Throws<WireProtocolViolationException>(() => Multiaddr.FromBytes(bytes));
        Assert.False(Multiaddr.TryFromBytes(bytes, out var address));
        Assert.Null(address);
    }

    [Fact]
    public void FromBytes_OverLimit_Throws()
    {
        var one = Convert.FromHexString("0401020304");
        var bytes = Enumerable.Repeat(one, (Multiaddr.MaxLength / one.Length) + 1).SelectMany(b => b).ToArray();

        Assert.Equal(Multiaddr.MaxLength / one.Length, Multiaddr.FromBytes(bytes.AsSpan(0, Multiaddr.MaxLength / one.Length * one.Length)).Components.Count);
        Assert.Throws<WireProtocolViolationException>(() => Multiaddr.FromBytes(bytes));
    }

    [Fact]
    public void FromBytes_CopiesInput()
    {
        var bytes = Convert.FromHexString("047f0000010610e1");
        var address = Multiaddr.FromBytes(bytes);

        bytes[1] = 1;
        address.ToBytes()[2] = 9;

        Assert.Equal("/ip4/127.0.0.1/tcp/4321", address.ToString());
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(Multiaddr.TryParse(null, out var address));
        Assert.Null(address);
    }

    [Fact]
    public void TryParse_Valid_ReturnsAddress()
    {
        Assert.True(Multiaddr.TryParse("/ip4/1.2.3.4", out var address));
        Assert.Equal("/ip4/1.2.3.4", address.ToString());
        Assert.True(Multiaddr.TryFromBytes(address.Bytes.Span, out var decoded));
        Assert.Equal(address, decoded);
    }

    [Fact]
    public void Components_ExposeProtocolValueAndRawValue()
    {
        var address = Multiaddr.Parse("/ip4/127.0.0.1/udp/1234/quic-v1/p2p/" + EdPeer);

        Assert.Equal(
            [MultiaddrProtocol.Ip4, MultiaddrProtocol.Udp, MultiaddrProtocol.QuicV1, MultiaddrProtocol.P2p],
            address.Protocols);
        Assert.Equal(["127.0.0.1", "1234", null, EdPeer], address.Components.Select(c => c.Value));
        Assert.Equal("7f000001", Convert.ToHexStringLower(address.Components[0].RawValue.Span));
        Assert.Equal("04d2", Convert.ToHexStringLower(address.Components[1].RawValue.Span));
        Assert.True(address.Components[2].RawValue.IsEmpty);
        Assert.Equal(EdPeerHex, Convert.ToHexStringLower(address.Components[3].RawValue.Span));
        Assert.Equal(["/ip4/127.0.0.1", "/udp/1234", "/quic-v1", "/p2p/" + EdPeer], address.Components.Select(c => c.ToString()));
    }

    [Fact]
    public void Components_CannotBeModifiedThroughTheList()
    {
        var address = Multiaddr.Parse("/ip4/127.0.0.1/tcp/1");

        Assert.Throws<NotSupportedException>(() => ((IList<MultiaddrComponent>)address.Components)[0] = new MultiaddrComponent(MultiaddrProtocol.Ws));
        Assert.Throws<NotSupportedException>(() => ((IList<MultiaddrProtocol>)address.Protocols)[0] = MultiaddrProtocol.Ws);
    }

    [Fact]
    public void ValueForProtocol_ByCodeAndName_FindsFirstOccurrence()
    {
        // go-multiaddr's TestGetValue.
        var address = Multiaddr.Parse("/ip4/127.0.0.1/utp/tcp/5555/udp/1234/tls/utp/ipfs/QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP");

        Assert.Equal("127.0.0.1", address.ValueForProtocol(MultiaddrProtocol.Ip4.Code));
        Assert.Equal("", address.ValueForProtocol(MultiaddrProtocol.Utp.Code));
        Assert.Equal("", address.ValueForProtocol("tls"));
        Assert.Equal("5555", address.ValueForProtocol("tcp"));
        Assert.Equal("1234", address.ValueForProtocol(MultiaddrProtocol.Udp.Code));
        Assert.Equal("QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP", address.ValueForProtocol("ipfs"));
        Assert.Equal("QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP", address.ValueForProtocol("p2p"));
        Assert.Null(address.ValueForProtocol(MultiaddrProtocol.Ip6.Code));
        Assert.Null(address.ValueForProtocol(12345));
        Assert.Equal("0.0.0.0", Multiaddr.Parse("/ip4/0.0.0.0/ip4/1.1.1.1").ValueForProtocol("ip4"));
        Assert.Equal("/a/b/c/d", Multiaddr.Parse("/ip4/0.0.0.0/unix/a/b/c/d").ValueForProtocol("unix"));
    }

    [Fact]
    public void Contains_ReportsProtocolPresence()
    {
        var address = Multiaddr.Parse("/ip4/127.0.0.1/tcp/1/ws");

        Assert.True(address.Contains(MultiaddrProtocol.Ws));
        Assert.True(address.Contains(MultiaddrProtocol.Tcp));
        Assert.False(address.Contains(MultiaddrProtocol.Udp));
        Assert.False(Multiaddr.Empty.Contains(MultiaddrProtocol.Ip4));
    }

    [Fact]
    public void Equals_ComparesBinaryForm()
    {
        // go-multiaddr's TestEqual, plus the ipfs alias.
        var m1 = Multiaddr.Parse("/ip4/127.0.0.1/udp/1234");
        var m2 = Multiaddr.Parse("/ip4/127.0.0.1/tcp/1234");
        var m3 = Multiaddr.Parse("/ip4/127.0.0.1/tcp/1234");
        var m4 = Multiaddr.Parse("/ip4/127.0.0.1/tcp/1234/");

        Assert.NotEqual(m1, m2);
        Assert.True(m1 != m2);
        Assert.Equal(m2, m3);
        Assert.True(m2 == m4);
        Assert.Equal(m3.GetHashCode(), m4.GetHashCode());
        Assert.True(m1.Equals((object)Multiaddr.FromBytes(m1.Bytes.Span)));
        Assert.False(m1.Equals((object)"/ip4/127.0.0.1/udp/1234"));
        Assert.False(m1.Equals(null));
        Assert.False(m1 == null);
        Assert.True((Multiaddr?)null == null);
        Assert.Equal(Multiaddr.Parse("/ipfs/" + QmPeer), Multiaddr.Parse("/p2p/bafzbeigvf25ytwc3akrijfecaotc74udrhcxzh2cx3we5qqnw5vgrei4bm"));
        Assert.Single(new HashSet<Multiaddr> { m2, m3, m4 });
    }

    [Fact]
    public void PublicMembers_CheckArguments()
    {
        var address = Multiaddr.Parse("/ip4/1.2.3.4/tcp/1");

        Assert.Throws<ArgumentNullException>(() => Multiaddr.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => Multiaddr.FromComponents(null!));
        Assert.Throws<ArgumentNullException>(() => Multiaddr.FromComponents([null!]));
        Assert.Throws<ArgumentNullException>(() => address.Encapsulate((Multiaddr)null!));
        Assert.Throws<ArgumentNullException>(() => address.Encapsulate((string)null!));
        Assert.Throws<ArgumentNullException>(() => address.Decapsulate((Multiaddr)null!));
        Assert.Throws<ArgumentNullException>(() => address.Decapsulate((string)null!));
        Assert.Throws<ArgumentNullException>(() => address.WithPeerId(null!));
        Assert.Throws<ArgumentNullException>(() => address.ValueForProtocol(null!));
        Assert.Throws<ArgumentException>(() => address.ValueForProtocol("nonexistent"));
        Assert.Throws<ArgumentNullException>(() => address.Contains(null!));
        Assert.Throws<ArgumentNullException>(() => Multiaddr.FromEndPoint((System.Net.IPEndPoint)null!));
        Assert.Throws<ArgumentNullException>(() => Multiaddr.FromEndPoint((System.Net.DnsEndPoint)null!));
        Assert.Throws<ArgumentNullException>(() => Multiaddr.FromEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), null!));
        Assert.Throws<ArgumentException>(() => Multiaddr.FromEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), "sctp"));
        Assert.Throws<ArgumentException>(() => Multiaddr.FromEndPoint(new System.Net.DnsEndPoint("a", 1), "TCP"));
    }

    [Fact]
    public void FromComponents_BuildsAddress()
    {
        var address = Multiaddr.FromComponents(
        [
            new MultiaddrComponent(MultiaddrProtocol.Ip4, "10.0.0.1"),
            new MultiaddrComponent(MultiaddrProtocol.Tcp, "4001"),
            new MultiaddrComponent(MultiaddrProtocol.Ws),
        ]);

        Assert.Equal("/ip4/10.0.0.1/tcp/4001/ws", address.ToString());
        Assert.Equal(Multiaddr.Parse("/ip4/10.0.0.1/tcp/4001/ws").ToBytes(), address.ToBytes());
        Assert.Same(Multiaddr.Empty, Multiaddr.FromComponents([]));
    }

    [Fact]
    public void FromComponents_PathNotLastOrTooLong_Throws()
    {
        var unix = new MultiaddrComponent(MultiaddrProtocol.Unix, "/tmp/sock");
        var dns = new MultiaddrComponent(MultiaddrProtocol.Dns, new string('a', 500));

        Assert.Throws<ArgumentException>(() => Multiaddr.FromComponents([unix, new MultiaddrComponent(MultiaddrProtocol.Ws)]));
        Assert.Throws<ArgumentException>(() => Multiaddr.FromComponents([dns, dns, dns]));
        Assert.Equal("/tcp/1/unix/tmp/sock", Multiaddr.FromComponents([new MultiaddrComponent(MultiaddrProtocol.Tcp, "1"), unix]).ToString());
    }

    private static PeerId Peer(string text) => PeerId.Parse(text);
}
