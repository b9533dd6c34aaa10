using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Protocols;
using static Rx.Network.Tests.Protocols.IdentifyTestKit;

namespace Rx.Network.Tests.Protocols;

public partial class IdentifyServiceTests
{
    [Fact]
    public async Task Connect_EachPeerstoreLearnsTheOther()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync(builder => builder.WithAgentVersion("b-agent/2.0"));
        using var custom = b.SetStreamHandler(Custom, _ => Task.CompletedTask);
        var aLearnsB = NextResult(a, r => r.Peer == b.LocalPeer);
        var bLearnsA = NextResult(b, r => r.Peer == a.LocalPeer);

        await ConnectAsync(a, b);
        var resultAtA = await aLearnsB;
        var resultAtB = await bLearnsA;

        var b_ = a.Peerstore.PeerInfo(b.LocalPeer)!;
        Assert.Equal(b.Peerstore.PeerInfo(b.LocalPeer)!.PublicKey, b_.PublicKey);
        Assert.Equal("b-agent/2.0", b_.AgentVersion);
        Assert.Equal(IdentifyOptions.DefaultProtocolVersion, b_.ProtocolVersion);
        Assert.Subset(b_.Protocols.ToHashSet(), new HashSet<string> { PingService.ProtocolId, IdentifyService.ProtocolId, IdentifyService.PushProtocolId, Custom });
        Assert.Contains(b.ListenAddresses[0], b_.Addresses);
        Assert.False(resultAtA.IsPush);
        Assert.Equal(b_.Protocols.Order(), resultAtA.Protocols.Order());

        var a_ = b.Peerstore.PeerInfo(a.LocalPeer)!;
        Assert.Equal(IdentifyOptions.DefaultAgentVersion, a_.AgentVersion);
        Assert.StartsWith("rx-network/", a_.AgentVersion, StringComparison.Ordinal);
        Assert.Contains(PingService.ProtocolId, a_.Protocols);
        Assert.DoesNotContain(Custom, a_.Protocols);
        Assert.Contains(a.ListenAddresses[0], a_.Addresses);
        Assert.Equal(a.LocalPeer, PeerId.FromPublicKey(resultAtB.PublicKey!));
    }

    [Fact]
    public async Task Identify_ReportsObservedAddresses()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        var aLearnsB = NextResult(a, r => r.Peer == b.LocalPeer);
        var bLearnsA = NextResult(b, r => r.Peer == a.LocalPeer);
        var observedAtA = Service(a).ObservedAddresses.Connect().Where(c => c.Count > 0).FirstAsync().ToTask().WaitAsync(Wait);

        var connection = await ConnectAsync(a, b);
        var resultAtA = await aLearnsB;
        var resultAtB = await bLearnsA;

        // Each side reports the address it sees the other at: the dialer's ephemeral port, the listener's listen port.
        Assert.Equal(connection.LocalAddress, resultAtA.ObservedAddress);
        Assert.Equal(b.ListenAddresses[0], resultAtB.ObservedAddress);
        await observedAtA;
        var observed = Assert.Single(Service(a).ObservedAddresses.Items);
        Assert.Equal(connection.LocalAddress, observed.Address);
        Assert.Equal(1, observed.Reports);
    }

    [Fact]
    public async Task ObservedAddresses_AreBounded_LeastRecentlyReportedLeaveFirst()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var a = await StartAsync(builder => builder
            .WithTimeProvider(time)
            .WithIdentify(new IdentifyOptions { MaxObservedAddresses = 2 }));
        var observedAddresses = new List<Multiaddr>();
        var others = new List<INetwork>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var b = await StartAsync();
                others.Add(b);
                var identified = NextResult(a, r => r.Peer == b.LocalPeer);
                await ConnectAsync(a, b);
                observedAddresses.Add((await identified).ObservedAddress!);
                time.Advance(TimeSpan.FromSeconds(1));
            }

            var kept = Service(a).ObservedAddresses.Items.Select(o => o.Address).ToHashSet();
            Assert.True(kept.SetEquals(observedAddresses.Skip(1)), string.Join(", ", kept));
            Assert.All(Service(a).ObservedAddresses.Items, o => Assert.Equal(1, o.Reports));
        }
        finally
        {
            foreach (var other in others)
            {
                await other.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task IdentifyAsync_SameConnection_ReusesTheFirstIdentification()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        var opened = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var pingSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = a.Events.OfType<StreamOpened>()
            .Where(e => e.Stream.Direction == Direction.Outbound)
            .Subscribe(e =>
            {
                opened.Enqueue(e.Stream.Protocol);
                if (e.Stream.Protocol == PingService.ProtocolId)
                {
                    pingSeen.TrySetResult();
                }
            });
        var automatic = NextResult(a, r => r.Peer == b.LocalPeer);

        var connection = await ConnectAsync(a, b);
        var first = await automatic;
        var again = await Service(a).IdentifyAsync(connection).WaitAsync(Wait);
        var third = await Service(a).IdentifyAsync(connection).WaitAsync(Wait);

        Assert.Same(first, again);
        Assert.Same(first, third);
        Assert.Same(connection, first.Connection);

        // Events reach a subscriber in order: once the later ping stream is seen, every identify
        // stream opened before it has been counted.
        await PingService.PingAsync(a, b.LocalPeer).WaitAsync(Wait);
        await pingSeen.Task.WaitAsync(Wait);
        Assert.Single(opened, p => p == IdentifyService.ProtocolId);
    }

    [Fact]
    public async Task IdentifyAsync_WhenNotAutomatic_IdentifiesOnRequest()
    {
        await using var a = await StartAsync(builder => builder.WithIdentify(new IdentifyOptions { IdentifyNewConnections = false }));
        await using var b = await StartAsync();
        var connection = await ConnectAsync(a, b);

        var result = await Service(a).IdentifyAsync(connection).WaitAsync(Wait);

        Assert.Equal(b.LocalPeer, result.Peer);
        Assert.Contains(IdentifyService.ProtocolId, a.Peerstore.PeerInfo(b.LocalPeer)!.Protocols);
    }

    [Fact]
    public async Task Identify_UnspecifiedListenAddress_AnnouncesInterfaceAddresses()
    {
        await using var a = await StartAsync();
        await using var b = await new NetworkBuilder().ListenOn("/ip4/0.0.0.0/tcp/0").StartAsync();
        var aLearnsB = NextResult(a, r => r.Peer == b.LocalPeer);
        a.Peerstore.AddAddresses(b.LocalPeer, [Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{b.ListenAddresses[0].Components[1].Value}")], Rx.Network.Peerstore.AddressTtl.Temporary);

        await a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait);
        var result = await aLearnsB;

        Assert.NotEmpty(result.ListenAddresses);
        Assert.DoesNotContain(result.ListenAddresses, address => address.Components[0].Value == "0.0.0.0");
        Assert.True(b.InterfaceListenAddresses().ToHashSet().SetEquals(result.ListenAddresses));
    }

    [Fact]
    public async Task Of_FindsTheBuilderService_AndNullWithoutIdentify()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync(builder => builder.WithoutIdentify());

        Assert.NotNull(IdentifyService.Of(a));
        Assert.Null(IdentifyService.Of(b));
    }

    [Fact]
    public async Task Constructor_SecondServiceOnOneNetwork_Throws()
    {
        await using var a = await StartAsync();

        Assert.Throws<InvalidOperationException>(() => new IdentifyService(a));
    }

    [Fact]
    public async Task Dispose_StopsServingAndCompletesResults()
    {
        await using var a = await StartAsync(builder => builder.WithoutIdentify());
        await using var b = await StartAsync();
        var service = new IdentifyService(a);
        var completed = service.Results.LastOrDefaultAsync().ToTask();
        var connection = await ConnectAsync(b, a);

        service.Dispose();
        service.Dispose();

        await completed.WaitAsync(Wait);
        Assert.Null(IdentifyService.Of(a));
        await Assert.ThrowsAsync<NegotiationException>(() => connection.NewStreamAsync([IdentifyService.ProtocolId]).WaitAsync(Wait));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => service.IdentifyAsync(a.ConnectionsToPeer(b.LocalPeer)[0]));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => service.PushAsync());

        // Another service may take over.
        using var replacement = new IdentifyService(a);
        Assert.Same(replacement, IdentifyService.Of(a));
    }

    [Fact]
    public async Task ArgumentChecks()
    {
        Assert.Throws<ArgumentNullException>(() => new IdentifyService(null!));
        Assert.Throws<ArgumentNullException>(() => IdentifyService.Of(null!));
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        await using var c = await StartAsync();
        Assert.Throws<ArgumentNullException>(() => { _ = Service(a).IdentifyAsync(null!); });
        var foreign = await ConnectAsync(b, c);
        Assert.Throws<ArgumentException>(() => { _ = Service(a).IdentifyAsync(foreign); });
        Assert.Throws<ArgumentNullException>(() => new NetworkBuilder().WithIdentify(null!));
        Assert.Throws<ArgumentException>(() => new NetworkBuilder().WithAgentVersion(""));
        Assert.Throws<ArgumentNullException>(() => new NetworkBuilder().WithAgentVersion(null!));
    }
}
