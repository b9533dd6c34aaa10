using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Tests.Addressing;

public sealed partial class MultiaddrTests
{
    [Fact]
    public void Encapsulate_AppendsComponents()
    {
        // go-multiaddr's TestEncapsulate.
        var address = Multiaddr.Parse("/ip4/127.0.0.1/udp/1234");

        var combined = address.Encapsulate(Multiaddr.Parse("/udp/5678"));

        Assert.Equal("/ip4/127.0.0.1/udp/1234/udp/5678", combined.ToString());
        Assert.Equal("/ip4/127.0.0.1/udp/1234/udp/5678", address.Encapsulate("/udp/5678").ToString());
        Assert.Equal("047f000001910204d29102162e", Convert.ToHexStringLower(combined.Bytes.Span));
    }

    [Fact]
    public void Encapsulate_Empty_ReturnsOther()
    {
        var address = Multiaddr.Parse("/ip4/127.0.0.1/udp/1234");

        Assert.Same(address, address.Encapsulate(Multiaddr.Empty));
        Assert.Same(address, address.Encapsulate("/"));
        Assert.Same(address, Multiaddr.Empty.Encapsulate(address));
        Assert.Equal("/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095/tcp/8000/ws/p2p/" + QmPeer,
            Multiaddr.Parse("/").Encapsulate("/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095").Encapsulate("/tcp/8000").Encapsulate("/ws").Encapsulate("/ipfs/" + QmPeer).ToString());
    }

    [Fact]
    public void Encapsulate_AfterPathOrTooLong_Throws()
    {
        var unix = Multiaddr.Parse("/unix/tmp/sock");
        var big = Multiaddr.Parse("/dns/" + new string('a', 600));

        Assert.Throws<ArgumentException>(() => unix.Encapsulate("/ws"));
        Assert.Same(unix, unix.Encapsulate(Multiaddr.Empty));
        Assert.Throws<ArgumentException>(() => big.Encapsulate(big));
        Assert.Throws<FormatException>(() => big.Encapsulate("/nonexistent"));
    }

    [Theory]
    // go-multiaddr's TestDecapsulate; "/" stands for the empty address.
    [InlineData("/ip4/1.2.3.4/tcp/1234", "/ip4/1.2.3.4", "/")]
    [InlineData("/ip4/1.2.3.4", "/ip4/1.2.3.4/tcp/1234", "/ip4/1.2.3.4")]
    [InlineData("/ip4/1.2.3.5/tcp/1234", "/ip4/5.3.2.1", "/ip4/1.2.3.5/tcp/1234")]
    [InlineData("/ip4/1.2.3.5/udp/1234/quic-v1", "/udp/1234", "/ip4/1.2.3.5")]
    [InlineData("/ip4/1.2.3.6/udp/1234/quic-v1", "/udp/1234/quic-v1", "/ip4/1.2.3.6")]
    [InlineData("/ip4/1.2.3.7/tcp/1234", "/ws", "/ip4/1.2.3.7/tcp/1234")]
    [InlineData("/dnsaddr/wss.com/tcp/4001", "/ws", "/dnsaddr/wss.com/tcp/4001")]
    [InlineData("/dnsaddr/wss.com/tcp/4001/ws", "/wss", "/dnsaddr/wss.com/tcp/4001/ws")]
    [InlineData("/dnsaddr/wss.com/ws", "/wss", "/dnsaddr/wss.com/ws")]
    [InlineData("/dnsaddr/wss.com/ws", "/dnsaddr/wss.com", "/")]
    [InlineData("/dnsaddr/wss.com/tcp/4001/wss", "/wss", "/dnsaddr/wss.com/tcp/4001")]
    [InlineData("/ip4/1.2.3.4/tcp/80", "/tcp/80", "/ip4/1.2.3.4")]
    [InlineData("/ip4/1.2.3.4/tcp/80", "/udp/80", "/ip4/1.2.3.4/tcp/80")]
    // The last occurrence is removed, and everything after it.
    [InlineData("/ip4/1.1.1.1/tcp/1/ip4/1.1.1.1/tcp/2", "/ip4/1.1.1.1", "/ip4/1.1.1.1/tcp/1")]
    [InlineData("/ip4/1.1.1.1/tcp/1/ws/tcp/1/wss", "/tcp/1", "/ip4/1.1.1.1/tcp/1/ws")]
    [InlineData("/tcp/1", "/", "/tcp/1")]
    [InlineData("/", "/tcp/1", "/")]
    public void Decapsulate_RemovesLastOccurrenceAndRest(string left, string right, string expected)
    {
        var address = Multiaddr.Parse(left);

        var result = address.Decapsulate(Multiaddr.Parse(right));

        Assert.Equal(expected, result.ToString());
        Assert.Equal(Multiaddr.Parse(expected), result);
        Assert.Equal(result, address.Decapsulate(right));
        Assert.Equal(result.Bytes.Length, Multiaddr.FromBytes(result.Bytes.Span).Bytes.Length);
    }

    [Fact]
    public void Decapsulate_NoMatch_ReturnsSameInstance()
    {
        var address = Multiaddr.Parse("/ip4/1.2.3.4/tcp/80");

        Assert.Same(address, address.Decapsulate("/udp/80"));
        Assert.Same(Multiaddr.Empty, address.Decapsulate(address));
    }

    [Fact]
    public void Decapsulate_LastComponent_UndoesEncapsulate()
    {
        var address = Multiaddr.Parse("/dnsaddr/wss.com/tcp/4001/wss");
        var last = Multiaddr.FromComponents([address.Components[^1]]);

        var stem = address.Decapsulate(last);

        Assert.Equal("/dnsaddr/wss.com/tcp/4001", stem.ToString());
        Assert.Equal(address, stem.Encapsulate(last));
    }

    [Fact]
    public void DecapsulateCode_RemovesLastComponentWithCode()
    {
        // js-multiaddr's decapsulateCode test.
        var relayTcp = Multiaddr.Parse("/ip4/0.0.0.0/tcp/8080");
        var relay = relayTcp.Encapsulate("/p2p/QmZR5a9AAXGqQF2ADqoDdGS8zvqv8n3Pag6TDDnTNMcFW6/p2p-circuit");
        var original = relay.Encapsulate("/p2p/" + QmPeer);

        Assert.Equal(relay, original.DecapsulateCode(MultiaddrProtocol.P2p.Code));
        Assert.Equal(relayTcp, relay.DecapsulateCode(MultiaddrProtocol.P2p.Code));
        Assert.Same(relayTcp, relayTcp.DecapsulateCode(MultiaddrProtocol.P2p.Code));
        Assert.Same(Multiaddr.Empty, relayTcp.DecapsulateCode(MultiaddrProtocol.Ip4.Code));
    }

    [Theory]
    [InlineData("/ip4/1.2.3.4/tcp/1/p2p/" + EdPeer, EdPeer)]
    [InlineData("/p2p/" + QmPeer, QmPeer)]
    [InlineData("/ipfs/" + QmPeer + "/tcp/1", QmPeer)]
    [InlineData("/p2p/" + QmPeer + "/p2p-circuit/p2p/" + EdPeer, EdPeer)]
    [InlineData("/ip4/127.0.0.1/tcp/123/p2p/bafzbeigweq4zr4x4ky2dvv7nanbkw6egutvrrvzw6g3h2rftp7gidyhtt4/p2p-circuit", null)]
    [InlineData("/ip4/1.2.3.4/tcp/1", null)]
    [InlineData("/", null)]
    public void PeerId_IsLastP2pAfterLastCircuit(string text, string? expected)
    {
        var peerId = Multiaddr.Parse(text).PeerId;

        Assert.Equal(expected, peerId?.ToString());
    }

    [Fact]
    public void WithPeerId_AppendsOrReplacesTrailingP2p()
    {
        var ed = Peer(EdPeer);
        var qm = Peer(QmPeer);
        var bare = Multiaddr.Parse("/ip4/1.2.3.4/tcp/1");
        var withEd = bare.WithPeerId(ed);

        Assert.Equal("/ip4/1.2.3.4/tcp/1/p2p/" + EdPeer, withEd.ToString());
        Assert.Equal(ed, withEd.PeerId);
        Assert.Same(withEd, withEd.WithPeerId(Peer("bafzaajaiaejcalj543iwv2d7pkjt7ykvefrkfu7qjfi6sduakhso4lay6abn2d5u")));
        Assert.Equal("/ip4/1.2.3.4/tcp/1/p2p/" + QmPeer, withEd.WithPeerId(qm).ToString());
        Assert.Equal("/p2p/" + QmPeer + "/p2p-circuit/p2p/" + EdPeer,
            Multiaddr.Parse("/p2p/" + QmPeer + "/p2p-circuit").WithPeerId(ed).ToString());
        Assert.Equal("/p2p/" + EdPeer, Multiaddr.Empty.WithPeerId(ed).ToString());
        Assert.Throws<ArgumentException>(() => Multiaddr.Parse("/unix/tmp/sock").WithPeerId(ed));
    }

    [Fact]
    public void WithoutPeerId_RemovesOnlyTrailingP2p()
    {
        var bare = Multiaddr.Parse("/ip4/1.2.3.4/tcp/1");
        var relay = Multiaddr.Parse("/ip4/1.2.3.4/tcp/1/p2p/" + QmPeer + "/p2p-circuit");

        Assert.Equal(bare, bare.Encapsulate("/p2p/" + EdPeer).WithoutPeerId());
        Assert.Same(bare, bare.WithoutPeerId());
        Assert.Same(relay, relay.WithoutPeerId());
        Assert.Equal(relay, relay.Encapsulate("/p2p/" + EdPeer).WithoutPeerId());
        Assert.Same(Multiaddr.Empty, Multiaddr.Parse("/p2p/" + EdPeer).WithoutPeerId());
        Assert.Same(Multiaddr.Empty, Multiaddr.Empty.WithoutPeerId());
    }

    [Fact]
    public void PeerId_RoundTripsThroughWithPeerId()
    {
        var peer = PeerId.Parse(EdPeer);

        Assert.Equal(peer, Multiaddr.Parse("/dns4/example.com/tcp/443/wss").WithPeerId(peer).PeerId);
    }
}
