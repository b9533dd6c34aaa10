using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json;
using Rx.Network.Interop.Tests.Fixture;
using Rx.Network.Protocols;

namespace Rx.Network.Interop.Tests;

/// <summary>Identify (<c>/ipfs/id/1.0.0</c>) between Rx.Network and js-libp2p 3.x (@libp2p/identify 4.1.14).</summary>
[Trait("Category", "Interop")]
public sealed class IdentifyInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CSharpDialsJs_EachSideLearnsTheOther()
    {
        await using var js = await JsPeer.StartListenerAsync();
        await using var node = await InteropNode.StartAsync(listen: false);
        var peer = node.AddPeer(js.LoopbackAddr);
        var identified = IdentifyService.Of(node.Network)!.Results.Where(r => r.Peer == peer).FirstAsync().ToTask();

        await node.Network.DialPeerAsync(peer).WaitAsync(Timeout);
        var result = await identified.WaitAsync(Timeout);

        // What C# learned from js.
        var info = node.Network.Peerstore.PeerInfo(peer)!;
        Assert.StartsWith("js-libp2p/", info.AgentVersion, StringComparison.Ordinal);
        Assert.Equal("ipfs/0.1.0", info.ProtocolVersion);
        Assert.Contains(InteropNode.Echo, info.Protocols);
        Assert.Contains(InteropNode.Sink, info.Protocols);
        Assert.Contains(PingService.ProtocolId, info.Protocols);
        Assert.Contains(IdentifyService.ProtocolId, info.Protocols);
        Assert.Contains(info.Addresses, a => js.LoopbackAddr.StartsWith(a.ToString() + "/p2p/", StringComparison.Ordinal));
        Assert.Equal(node.Network.ConnectionsToPeer(peer)[0].LocalAddress, result.ObservedAddress);

        // What js learned from C#: the js listener identifies every new connection by itself.
        var jsIdentified = await js.WaitForEventAsync(
            e => e.GetProperty("event").GetString() == "peer-identify"
                && e.GetProperty("remotePeer").GetString() == node.Network.LocalPeer.ToString(),
            Timeout);
        Assert.Equal(IdentifyOptions.DefaultAgentVersion, jsIdentified.GetProperty("agentVersion").GetString());
        var jsSees = Strings(jsIdentified.GetProperty("protocols"));
        Assert.Contains(PingService.ProtocolId, jsSees);
        Assert.Contains(IdentifyService.ProtocolId, jsSees);
        Assert.Contains(InteropNode.Echo, jsSees);
    }

    [Fact]
    public async Task JsDialsCSharp_IdentifyCheck_SeesOurProtocolsAndAgent()
    {
        await using var node = await InteropNode.StartAsync();

        var result = await JsPeer.RunDialAsync(node.Address, ["identify", "ping"]);

        Assert.True(result.AllPassed, result.Describe());
        var identify = result["identify"];
        Assert.Equal(IdentifyOptions.DefaultAgentVersion, identify.GetString("agentVersion"));
        Assert.Equal(IdentifyOptions.DefaultProtocolVersion, identify.GetString("protocolVersion"));
        var protocols = identify.GetStrings("protocols");
        Assert.Contains(PingService.ProtocolId, protocols);
        Assert.Contains(IdentifyService.ProtocolId, protocols);
        Assert.Contains(IdentifyService.PushProtocolId, protocols);
        Assert.Contains(InteropNode.Echo, protocols);
        Assert.Contains(node.Network.ListenAddresses[0].ToString(), identify.GetStrings("listenAddrs").Select(a => a.Split("/p2p/")[0]));
        Assert.StartsWith("/ip4/127.0.0.1/tcp/", identify.GetString("observedAddr"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsDialsCSharp_WithCustomAgent_JsSeesIt()
    {
        var network = await new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0").WithAgentVersion("interop-agent/9.9").StartAsync();
        await using (network)
        {
            var address = network.ListenAddresses[0].WithPeerId(network.LocalPeer).ToString();

            var result = await JsPeer.RunDialAsync(address, ["identify"]);

            Assert.True(result.AllPassed, result.Describe());
            Assert.Equal("interop-agent/9.9", result["identify"].GetString("agentVersion"));
        }
    }

    private static List<string> Strings(JsonElement array) =>
        [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
