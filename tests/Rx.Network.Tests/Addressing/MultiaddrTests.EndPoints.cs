using System.Net;
using System.Net.Sockets;
using Rx.Network.Addressing;

namespace Rx.Network.Tests.Addressing;

public sealed partial class MultiaddrTests
{
    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/4001", "127.0.0.1:4001")]
    [InlineData("/ip4/0.0.0.0/udp/0/quic-v1", "0.0.0.0:0")]
    [InlineData("/ip6/::1/tcp/65535/p2p/" + EdPeer, "[::1]:65535")]
    [InlineData("/ip6/::ffff:1.2.3.4/tcp/80", "[::ffff:1.2.3.4]:80")]
    [InlineData("/ip6zone/3/ip6/fe80::1/tcp/80", "[fe80::1%3]:80")]
    public void TryGetEndPoint_IpHostAndPort_GivesIpEndPoint(string text, string expected)
    {
        var address = Multiaddr.Parse(text);

        Assert.True(address.TryGetEndPoint(out var endPoint));
        var ip = Assert.IsType<IPEndPoint>(endPoint);
        Assert.Equal(IPEndPoint.Parse(expected), ip);
        Assert.Equal(ip, address.ToEndPoint());
    }

    [Theory]
    [InlineData("/dns/example.com/tcp/443/wss", "example.com", 443, AddressFamily.Unspecified)]
    [InlineData("/dns4/example.com/tcp/80", "example.com", 80, AddressFamily.InterNetwork)]
    [InlineData("/dns6/example.com/udp/53", "example.com", 53, AddressFamily.InterNetworkV6)]
    public void TryGetEndPoint_DnsHostAndPort_GivesDnsEndPoint(string text, string host, int port, AddressFamily family)
    {
        Assert.True(Multiaddr.Parse(text).TryGetEndPoint(out var endPoint));

        var dns = Assert.IsType<DnsEndPoint>(endPoint);
        Assert.Equal(host, dns.Host);
        Assert.Equal(port, dns.Port);
        Assert.Equal(family, dns.AddressFamily);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/ip4/1.2.3.4")]
    [InlineData("/tcp/80/ip4/1.2.3.4")]
    [InlineData("/ip4/1.2.3.4/sctp/80")]
    [InlineData("/ip4/1.2.3.4/ws/tcp/80")]
    [InlineData("/dnsaddr/example.com/tcp/80")]
    [InlineData("/ip6zone/eth0/ip6/fe80::1/tcp/80")]
    [InlineData("/ip6zone/3/ip4/1.2.3.4/tcp/80")]
    [InlineData("/ip6zone/3/ip6/fe80::1")]
    [InlineData("/unix/tmp/sock")]
    [InlineData("/p2p/" + EdPeer + "/ip4/1.2.3.4/tcp/1")]
    public void TryGetEndPoint_NoLeadingHostAndPort_ReturnsFalse(string text)
    {
        var address = Multiaddr.Parse(text);

        Assert.False(address.TryGetEndPoint(out var endPoint));
        Assert.Null(endPoint);
        Assert.Throws<InvalidOperationException>(() => address.ToEndPoint());
    }

    [Theory]
    [InlineData("127.0.0.1:4001", "tcp", "/ip4/127.0.0.1/tcp/4001")]
    [InlineData("0.0.0.0:0", "udp", "/ip4/0.0.0.0/udp/0")]
    [InlineData("[::]:4001", "tcp", "/ip6/::/tcp/4001")]
    [InlineData("[2001:db8::1]:443", "udp", "/ip6/2001:db8::1/udp/443")]
    [InlineData("[::ffff:10.0.0.1]:80", "tcp", "/ip4/10.0.0.1/tcp/80")]
    [InlineData("[fe80::1%7]:80", "tcp", "/ip6zone/7/ip6/fe80::1/tcp/80")]
    public void FromEndPoint_IpEndPoint_BuildsAddress(string endPoint, string transport, string expected)
    {
        var address = Multiaddr.FromEndPoint(IPEndPoint.Parse(endPoint), transport);

        Assert.Equal(expected, address.ToString());
        Assert.Equal(Multiaddr.Parse(expected).ToBytes(), address.ToBytes());
    }

    [Fact]
    public void FromEndPoint_DefaultsToTcp()
    {
        Assert.Equal("/ip4/1.2.3.4/tcp/5", Multiaddr.FromEndPoint(new IPEndPoint(IPAddress.Parse("1.2.3.4"), 5)).ToString());
        Assert.Equal("/dns/example.com/tcp/5", Multiaddr.FromEndPoint(new DnsEndPoint("example.com", 5)).ToString());
    }

    [Theory]
    [InlineData(AddressFamily.Unspecified, "udp", "/dns/example.com/udp/53")]
    [InlineData(AddressFamily.InterNetwork, "tcp", "/dns4/example.com/tcp/53")]
    [InlineData(AddressFamily.InterNetworkV6, "tcp", "/dns6/example.com/tcp/53")]
    public void FromEndPoint_DnsEndPoint_BuildsAddress(AddressFamily family, string transport, string expected)
    {
        var address = Multiaddr.FromEndPoint(new DnsEndPoint("example.com", 53, family), transport);

        Assert.Equal(expected, address.ToString());
    }

    [Fact]
    public void FromEndPoint_HostWithoutMultiaddrForm_Throws()
    {
        Assert.Throws<ArgumentException>(() => Multiaddr.FromEndPoint(new DnsEndPoint("a/b", 1)));
        Assert.Throws<ArgumentException>(() => Multiaddr.FromEndPoint(new DnsEndPoint(new string('a', 2000), 1)));
    }

    [Fact]
    public void FromEndPoint_RoundTripsThroughToEndPoint()
    {
        var endPoint = new IPEndPoint(IPAddress.Parse("2001:db8::7"), 4242);

        Assert.Equal(endPoint, Multiaddr.FromEndPoint(endPoint).ToEndPoint());
    }
}
