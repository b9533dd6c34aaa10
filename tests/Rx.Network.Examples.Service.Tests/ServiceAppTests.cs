using System.Net.Http.Json;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Rx.Network.Examples.Service;
using Rx.Network.Examples.Tests.Fixture;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Rx.Network.Reactive;

namespace Rx.Network.Examples.Service.Tests;

/// <summary>The ASP.NET Core example service, run in-process on free ports (Kestrel and the node on port 0).</summary>
public sealed class ServiceAppTests
{
    [Fact]
    public async Task Service_WithAPeerConnected_ServesItsRowAndTheStreamCounters()
    {
        using var temp = new TemporaryDirectory();
        await using var app = ServiceApp.Build(
        [
            "--contentRoot", temp.Path,
            "--urls", "http://127.0.0.1:0",
            "--RxNetwork:Listen:0", "/ip4/127.0.0.1/tcp/0",
            "--RxNetwork:IdentityKeyFile", "identity.key",
        ]);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(Assert.Single(app.Urls)), Timeout = TimeSpan.FromSeconds(30) };
            Assert.NotEqual(0, http.BaseAddress.Port);

            var node = await http.GetFromJsonAsync<NodeInfo>("/node");
            var hosted = app.Services.GetRequiredService<INetwork>();
            Assert.Equal(hosted.LocalPeer.ToString(), node!.PeerId);
            Assert.True(File.Exists(temp["identity.key"]));

            await using var peer = await new NetworkBuilder().StartAsync();
            peer.Peerstore.AddAddresses(hosted.LocalPeer, node.Addresses.Select(address => Addressing.Multiaddr.Parse(address).Decapsulate($"/p2p/{node.PeerId}")), AddressTtl.Temporary);
            var connected = hosted.PeerStatuses.Watch(peer.LocalPeer)
                .FirstAsync(change => change.Current.Connectedness == Connectedness.Connected)
                .ToTask();
            await PingService.PingAsync(peer, hosted.LocalPeer);
            await connected.WaitAsync(TimeSpan.FromSeconds(30));

            var rows = await http.GetFromJsonAsync<List<PeerRow>>("/peers");
            var row = Assert.Single(rows!, r => r.Peer == peer.LocalPeer.ToString());
            Assert.Equal("Connected", row.Connectedness);
            Assert.Equal(1, row.Connections);

            var metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("# TYPE rxnet_streams_opened_total counter", metrics, StringComparison.Ordinal);
            Assert.Contains("rxnet_streams_opened_total{", metrics, StringComparison.Ordinal);
            Assert.Contains("protocol=\"/ipfs/ping/1.0.0\"", metrics, StringComparison.Ordinal);
            Assert.Contains("rxnet_connections_opened_total{", metrics, StringComparison.Ordinal);
            Assert.Contains("rxnet_streams_open", metrics, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public void PeerRow_From_TakesEveryField()
    {
        using var key = Identity.PrivateKey.Generate();
        var peer = Identity.PeerId.FromPublicKey(key.PublicKey);

        var row = PeerRow.From(new PeerStatus(peer, Connectedness.CanConnect, 0, TimeSpan.FromMilliseconds(1.5)));

        Assert.Equal(new PeerRow(peer.ToString(), "CanConnect", 0, 1.5), row);
        Assert.Throws<ArgumentNullException>(() => PeerRow.From(null!));
    }
}
