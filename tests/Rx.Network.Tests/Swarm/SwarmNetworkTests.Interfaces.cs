using Rx.Network.Addressing;
using Rx.Network.Peerstore;

namespace Rx.Network.Tests.Swarm;

public partial class SwarmNetworkTests
{
    [Fact]
    public async Task InterfaceListenAddresses_Ip6Wildcard_ExpandsToIp6InterfacesWithTheBoundPort()
    {
        await using var a = await SwarmKit.StartAsync(x => x.ListenOn("/ip6/::/tcp/0"), listen: false);
        var wildcard = Assert.Single(a.ListenAddresses);
        Assert.Equal("::", wildcard.Components[0].Value);
        var port = SwarmKit.PortOf(wildcard);

        var expanded = a.InterfaceListenAddresses();
        var loopback = Multiaddr.Parse($"/ip6/::1/tcp/{port}");
        Assert.Contains(loopback, expanded);
        Assert.All(expanded, x =>
        {
            Assert.Equal("ip6", x.Components[0].Protocol.Name);
            Assert.NotEqual("::", x.Components[0].Value);
            Assert.False(System.Net.IPAddress.Parse(x.Components[0].Value!).IsIPv6LinkLocal);
            Assert.Equal(port, SwarmKit.PortOf(x));
        });

        // The expanded loopback address is dialable.
        await using var b = await SwarmKit.StartAsync(listen: false);
        b.Peerstore.AddAddresses(a.LocalPeer, [loopback], AddressTtl.Permanent);
        await b.DialPeerAsync(a.LocalPeer).WaitAsync(Wait);
    }
}
