using Rx.Network.Addressing;

namespace Rx.Network.Tests.Addressing;

public sealed class MultiaddrProtocolTests
{
    // Code, name and size as listed in multiformats/multiaddr protocols.csv (-1 for "V").
    public static TheoryData<int, string, int> Table => new()
    {
        { 4, "ip4", 32 },
        { 6, "tcp", 16 },
        { 33, "dccp", 16 },
        { 41, "ip6", 128 },
        { 42, "ip6zone", -1 },
        { 43, "ipcidr", 8 },
        { 53, "dns", -1 },
        { 54, "dns4", -1 },
        { 55, "dns6", -1 },
        { 56, "dnsaddr", -1 },
        { 132, "sctp", 16 },
        { 273, "udp", 16 },
        { 275, "p2p-webrtc-star", 0 },
        { 276, "p2p-webrtc-direct", 0 },
        { 277, "p2p-stardust", 0 },
        { 280, "webrtc-direct", 0 },
        { 281, "webrtc", 0 },
        { 290, "p2p-circuit", 0 },
        { 301, "udt", 0 },
        { 302, "utp", 0 },
        { 400, "unix", -1 },
        { 421, "p2p", -1 },
        { 443, "https", 0 },
        { 448, "tls", 0 },
        { 449, "sni", -1 },
        { 454, "noise", 0 },
        { 460, "quic", 0 },
        { 461, "quic-v1", 0 },
        { 465, "webtransport", 0 },
        { 466, "certhash", -1 },
        { 477, "ws", 0 },
        { 478, "wss", 0 },
        { 479, "p2p-websocket-star", 0 },
        { 480, "http", 0 },
        { 777, "memory", -1 },
        { 0x706c61, "plaintextv2", 0 },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void FromCode_KnownCode_MatchesProtocolsTable(int code, string name, int size)
    {
        var protocol = MultiaddrProtocol.FromCode(code);

        Assert.Equal(code, protocol.Code);
        Assert.Equal(name, protocol.Name);
        Assert.Equal(size, protocol.Size);
        Assert.Equal(size != 0, protocol.HasValue);
        Assert.Equal(size == MultiaddrProtocol.VariableSize, protocol.IsVariableSize);
        Assert.Same(protocol, MultiaddrProtocol.FromName(name));
        Assert.Equal(name, protocol.ToString());
    }

    [Fact]
    public void All_IsTheWholeTableInCodeOrder()
    {
        Assert.Equal(Table.Count, MultiaddrProtocol.All.Count);
        Assert.Equal(MultiaddrProtocol.All.OrderBy(p => p.Code).Select(p => p.Code), MultiaddrProtocol.All.Select(p => p.Code));
        Assert.Equal(MultiaddrProtocol.All.Count, MultiaddrProtocol.All.Select(p => p.Code).Distinct().Count());
        Assert.Equal(MultiaddrProtocol.All.Count, MultiaddrProtocol.All.Select(p => p.Name).Distinct().Count());
        Assert.IsNotType<MultiaddrProtocol[]>(MultiaddrProtocol.All);
        Assert.IsNotType<string[]>(MultiaddrProtocol.P2p.Aliases);
    }

    [Fact]
    public void StaticMembers_AreTheTableEntries()
    {
        Assert.Same(MultiaddrProtocol.FromCode(4), MultiaddrProtocol.Ip4);
        Assert.Same(MultiaddrProtocol.FromCode(421), MultiaddrProtocol.P2p);
        Assert.Same(MultiaddrProtocol.FromCode(461), MultiaddrProtocol.QuicV1);
        Assert.Same(MultiaddrProtocol.FromCode(777), MultiaddrProtocol.Memory);
        Assert.Contains(MultiaddrProtocol.CertHash, MultiaddrProtocol.All);
    }

    [Fact]
    public void FromName_Alias_GivesCanonicalProtocol()
    {
        Assert.Same(MultiaddrProtocol.P2p, MultiaddrProtocol.FromName("ipfs"));
        Assert.Equal(["ipfs"], MultiaddrProtocol.P2p.Aliases);
        Assert.Empty(MultiaddrProtocol.Tcp.Aliases);
    }

    [Fact]
    public void IsPath_OnlyUnix()
    {
        Assert.Equal([MultiaddrProtocol.Unix], MultiaddrProtocol.All.Where(p => p.IsPath));
    }

    [Fact]
    public void Lookups_UnknownKeys_FailAsDocumented()
    {
        Assert.False(MultiaddrProtocol.TryFromCode(5, out var byCode));
        Assert.Null(byCode);
        Assert.False(MultiaddrProtocol.TryFromName("TCP", out var byName));
        Assert.Null(byName);
        Assert.False(MultiaddrProtocol.TryFromName(null, out _));
        Assert.True(MultiaddrProtocol.TryFromName("tcp", out var tcp));
        Assert.Same(MultiaddrProtocol.Tcp, tcp);
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiaddrProtocol.FromCode(-1));
        Assert.Throws<ArgumentException>(() => MultiaddrProtocol.FromName("nonexistent"));
    }

    [Fact]
    public void PublicMembers_CheckArguments()
    {
        Assert.Throws<ArgumentNullException>(() => MultiaddrProtocol.FromName(null!));
        Assert.Throws<ArgumentNullException>(() => MultiaddrProtocol.Ip4.ValueToBytes(null!));
        Assert.Throws<InvalidOperationException>(() => MultiaddrProtocol.Ws.ValueToBytes("x"));
        Assert.Throws<InvalidOperationException>(() => MultiaddrProtocol.Ws.BytesToValue([]));
    }

    [Theory]
    [InlineData("ip4", "192.168.0.1", "c0a80001", "192.168.0.1")]
    [InlineData("tcp", "65535", "ffff", "65535")]
    [InlineData("udp", "00080", "0050", "80")]
    [InlineData("ip6", "FE80::0:1", "fe800000000000000000000000000001", "fe80::1")]
    [InlineData("ipcidr", "24", "18", "24")]
    [InlineData("dns4", "example.com", "6578616d706c652e636f6d", "example.com")]
    [InlineData("memory", "test", "74657374", "test")]
    [InlineData("unix", "/tmp/p2p.sock", "2f746d702f7032702e736f636b", "/tmp/p2p.sock")]
    [InlineData("p2p", "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC", "1220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b", "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC")]
    [InlineData("certhash", "f12020102", "12020102", "uEgIBAg")]
    public void ValueToBytes_AndBack_UsesProtocolCodec(string name, string text, string hex, string canonical)
    {
        var protocol = MultiaddrProtocol.FromName(name);

        var bytes = protocol.ValueToBytes(text);

        Assert.Equal(hex, Convert.ToHexStringLower(bytes));
        Assert.Equal(canonical, protocol.BytesToValue(bytes));
    }

    [Theory]
    [InlineData("ip4", "7f0000")]
    [InlineData("ip4", "7f00000001")]
    [InlineData("tcp", "")]
    [InlineData("ip6", "00")]
    [InlineData("dns", "")]
    [InlineData("dns", "2f")]
    [InlineData("p2p", "1221")]
    [InlineData("unix", "61")]
    public void BytesToValue_InvalidBytes_ThrowsFormatException(string name, string hex)
    {
        var protocol = MultiaddrProtocol.FromName(name);

        Assert.ThrowsAny<FormatException>(() => protocol.BytesToValue(Convert.FromHexString(hex)));
    }

    [Theory]
    [InlineData("ip4", "1.2.3")]
    [InlineData("tcp", "65536")]
    [InlineData("tcp", "")]
    [InlineData("ip6", "::1%1")]
    [InlineData("dns", "")]
    [InlineData("dns", "a/b")]
    [InlineData("unix", "tmp/sock")]
    [InlineData("p2p", "notapeer")]
    [InlineData("certhash", "u")]
    public void ValueToBytes_InvalidText_ThrowsFormatException(string name, string text)
    {
        var protocol = MultiaddrProtocol.FromName(name);

        Assert.ThrowsAny<FormatException>(() => protocol.ValueToBytes(text));
    }
}
