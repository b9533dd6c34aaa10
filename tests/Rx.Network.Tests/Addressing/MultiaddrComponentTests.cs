using Rx.Network.Addressing;

namespace Rx.Network.Tests.Addressing;

public sealed class MultiaddrComponentTests
{
    [Fact]
    public void Constructor_WithValue_StoresCanonicalValueAndBytes()
    {
        var component = new MultiaddrComponent(MultiaddrProtocol.Ip6, "::FFFF:1.2.3.4");

        Assert.Same(MultiaddrProtocol.Ip6, component.Protocol);
        Assert.Equal("::ffff:102:304", component.Value);
        Assert.Equal("00000000000000000000ffff01020304", Convert.ToHexStringLower(component.RawValue.Span));
        Assert.Equal("/ip6/::ffff:102:304", component.ToString());
    }

    [Fact]
    public void Constructor_NoValueProtocol_HasNullValueAndNoBytes()
    {
        var component = new MultiaddrComponent(MultiaddrProtocol.P2pCircuit);

        Assert.Null(component.Value);
        Assert.True(component.RawValue.IsEmpty);
        Assert.Equal("/p2p-circuit", component.ToString());
    }

    [Fact]
    public void Constructor_PeerIdAsCid_NormalisesToBase58()
    {
        var component = new MultiaddrComponent(MultiaddrProtocol.P2p, "bafzaajaiaejcalj543iwv2d7pkjt7ykvefrkfu7qjfi6sduakhso4lay6abn2d5u");

        Assert.Equal("12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV", component.Value);
    }

    [Fact]
    public void ToString_PathProtocol_WritesPathDirectly()
    {
        Assert.Equal("/unix/tmp/p2p.sock", new MultiaddrComponent(MultiaddrProtocol.Unix, "/tmp/p2p.sock").ToString());
        Assert.Equal("/unix/tmp/p2p.sock", new MultiaddrComponent(MultiaddrProtocol.Unix, "/%2Ftmp%2Fp2p.sock").ToString());
    }

    [Fact]
    public void Equals_ComparesProtocolAndBytes()
    {
        var a = new MultiaddrComponent(MultiaddrProtocol.Tcp, "80");
        var b = new MultiaddrComponent(MultiaddrProtocol.Tcp, "0080");
        var c = new MultiaddrComponent(MultiaddrProtocol.Udp, "80");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.False(a.Equals(null));
        Assert.False(a.Equals((object)"/tcp/80"));
        Assert.True(a.Equals((object)b));
        Assert.Equal(new MultiaddrComponent(MultiaddrProtocol.Ws), new MultiaddrComponent(MultiaddrProtocol.Ws));
    }

    [Fact]
    public void Constructor_BadValue_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => new MultiaddrComponent(MultiaddrProtocol.Tcp, "http"));
        Assert.Throws<FormatException>(() => new MultiaddrComponent(MultiaddrProtocol.Dns, ""));
        Assert.Throws<FormatException>(() => new MultiaddrComponent(MultiaddrProtocol.Unix, "relative/path"));
    }

    [Fact]
    public void PublicMembers_CheckArguments()
    {
        Assert.Throws<ArgumentNullException>(() => new MultiaddrComponent(null!, "1"));
        Assert.Throws<ArgumentException>(() => new MultiaddrComponent(MultiaddrProtocol.Tcp));
        Assert.Throws<ArgumentException>(() => new MultiaddrComponent(MultiaddrProtocol.Ws, "x"));
    }
}
