using Microsoft.Extensions.Time.Testing;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Reactive;

namespace Rx.Network.Tests.Peerstore;

public class MemoryPeerstoreTests
{
    private static readonly Multiaddr A1 = Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001");
    private static readonly Multiaddr A2 = Multiaddr.Parse("/ip6/::1/tcp/4002");

    private static PeerId NewPeer(out PublicKey key)
    {
        using var privateKey = PrivateKey.Generate();
        key = privateKey.PublicKey;
        return PeerId.FromPublicKey(key);
    }

    private static PeerId NewPeer() => NewPeer(out _);

    [Fact]
    public void AddAddresses_ExpireOnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        using var store = new MemoryPeerstore(time);
        var peer = NewPeer();
        store.AddAddresses(peer, [A1], TimeSpan.FromMinutes(1));
        store.AddAddresses(peer, [A2], TimeSpan.FromMinutes(5));
        Assert.Equal([A1, A2], store.Addresses(peer));

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([A2], store.Addresses(peer));
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(store.Addresses(peer));
    }

    [Fact]
    public void AddAddresses_KeepsTheLaterExpiry_AndStripsPeerId()
    {
        var time = new FakeTimeProvider();
        using var store = new MemoryPeerstore(time);
        var peer = NewPeer();
        store.AddAddresses(peer, [A1.WithPeerId(peer)], TimeSpan.FromMinutes(10));
        store.AddAddresses(peer, [A1], TimeSpan.FromMinutes(1));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal([A1], store.Addresses(peer));
    }

    [Fact]
    public void Addresses_KeepTheOrderFirstAdded_ThroughRenewalsAndRemovals()
    {
        var time = new FakeTimeProvider();
        using var store = new MemoryPeerstore(time);
        var peer = NewPeer();
        var a3 = Multiaddr.Parse("/ip4/127.0.0.3/tcp/4003");
        store.AddAddresses(peer, [A1, A2, a3], TimeSpan.FromMinutes(1));
        store.AddAddresses(peer, [A1], TimeSpan.FromMinutes(10));
        Assert.Equal([A1, A2, a3], store.Addresses(peer));

        store.SetAddresses(peer, [A2], TimeSpan.Zero);
        store.AddAddresses(peer, [A2], TimeSpan.FromMinutes(10));
        Assert.Equal([A1, a3, A2], store.Addresses(peer));

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([A1, A2], store.Addresses(peer));
        Assert.Equal([A1, A2], store.PeerInfo(peer)!.Addresses);
    }

    [Fact]
    public void SetAddresses_OverridesAndZeroRemoves()
    {
        var time = new FakeTimeProvider();
        using var store = new MemoryPeerstore(time);
        var peer = NewPeer();
        store.AddAddresses(peer, [A1, A2], AddressTtl.Permanent);
        store.SetAddresses(peer, [A1], TimeSpan.FromSeconds(1));
        store.SetAddresses(peer, [A2], TimeSpan.Zero);
        Assert.Equal([A1], store.Addresses(peer));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(store.Addresses(peer));
    }

    [Fact]
    public void Peers_PublishesChanges_AndSweepsExpiredAddresses()
    {
        var time = new FakeTimeProvider();
        using var store = new MemoryPeerstore(time, new PeerstoreOptions { SweepInterval = TimeSpan.FromSeconds(10) });
        var peer = NewPeer();
        var seen = new List<IReadOnlyList<Multiaddr>>();
        using var subscription = store.Peers.Watch(peer).Subscribe(change => seen.Add(change.Current.Addresses));

        store.AddAddresses(peer, [A1], TimeSpan.FromSeconds(5));
        Assert.Equal([A1], seen[^1]);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(seen[^1]);
    }

    [Fact]
    public void Peers_Unobserved_ShowsChangesOnReadAndToALaterSubscriber()
    {
        var time = new FakeTimeProvider();
        using var store = new MemoryPeerstore(time);
        var peer = NewPeer();
        var other = NewPeer();
        store.AddAddresses(peer, [A1], TimeSpan.FromMinutes(1));
        store.AddAddresses(other, [A2], TimeSpan.FromMinutes(10));

        Assert.True(store.Peers.TryGetValue(peer, out var info));
        Assert.Equal([A1], info.Addresses);
        Assert.Equal(2, store.Peers.Count);

        // Changed while nobody observes, expired on the clock: a subscriber's first set has it all.
        store.AddAddresses(peer, [A2], TimeSpan.FromMinutes(5));
        time.Advance(TimeSpan.FromMinutes(2));
        var seen = new Dictionary<PeerId, IReadOnlyList<Multiaddr>>();
        using var subscription = store.Peers.Connect().Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                seen[change.Key] = change.Current.Addresses;
            }
        });
        Assert.Equal([A2], seen[peer]);
        Assert.Equal([A2], seen[other]);

        // Observed: published as it happens.
        store.AddAddresses(peer, [A1], TimeSpan.FromMinutes(5));
        Assert.Equal([A2, A1], seen[peer]);
    }

    [Fact]
    public void LatencyChanged_ToldOfEachNewAverage_NotOfRepeats()
    {
        using var store = new MemoryPeerstore(new FakeTimeProvider());
        var peer = NewPeer();
        var told = new List<(PeerId Peer, TimeSpan Latency)>();
        store.LatencyChanged = (p, latency) => told.Add((p, latency));

        store.RecordLatency(peer, TimeSpan.FromMilliseconds(100));
        store.RecordLatency(peer, TimeSpan.FromMilliseconds(100));
        store.RecordLatency(peer, TimeSpan.FromMilliseconds(200));
        store.AddAddresses(peer, [A1], TimeSpan.FromMinutes(1));

        Assert.Equal([(peer, TimeSpan.FromMilliseconds(100)), (peer, TimeSpan.FromMilliseconds(110))], told);
    }

    [Fact]
    public void AddPublicKey_ChecksTheKeyAgainstThePeer()
    {
        using var store = new MemoryPeerstore(new FakeTimeProvider());
        var peer = NewPeer(out var key);
        NewPeer(out var otherKey);
        store.AddPublicKey(peer, key);
        Assert.Equal(key, store.PeerInfo(peer)!.PublicKey);
        Assert.Throws<ArgumentException>(() => store.AddPublicKey(peer, otherKey));
    }

    [Fact]
    public void RecordLatency_IsAnExponentialMovingAverage()
    {
        using var store = new MemoryPeerstore(new FakeTimeProvider());
        var peer = NewPeer();
        store.RecordLatency(peer, TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(100), store.PeerInfo(peer)!.Latency);
        store.RecordLatency(peer, TimeSpan.FromMilliseconds(200));
        Assert.Equal(TimeSpan.FromMilliseconds(110), store.PeerInfo(peer)!.Latency);
    }

    [Fact]
    public void Bounds_PeersAddressesProtocolsAndStrings()
    {
        var options = new PeerstoreOptions { MaxPeers = 3, MaxAddressesPerPeer = 2, MaxProtocolsPerPeer = 2, MaxStringLength = 8 };
        using var store = new MemoryPeerstore(new FakeTimeProvider(), options);
        var peers = Enumerable.Range(0, 4).Select(_ => NewPeer()).ToArray();
        foreach (var peer in peers)
        {
            store.SetVersions(peer, "agent", null);
        }

        // The least recently touched peer was forgotten.
        Assert.Null(store.PeerInfo(peers[0]));
        Assert.Equal(3, store.Peers.Count);

        var p = peers[3];
        store.AddAddresses(p, [A1], TimeSpan.FromMinutes(1));
        store.AddAddresses(p, [A2], TimeSpan.FromMinutes(9));
        store.AddAddresses(p, [Multiaddr.Parse("/ip4/10.0.0.1/tcp/1")], TimeSpan.FromMinutes(5));
        Assert.Equal(2, store.Addresses(p).Count);
        Assert.DoesNotContain(A1, store.Addresses(p));

        store.SetProtocols(p, ["/a", "/b", "/c", "/way-too-long-protocol"]);
        Assert.Equal(["/a", "/b"], store.PeerInfo(p)!.Protocols);
        store.SetVersions(p, "much-too-long-agent", "v1");
        Assert.Equal("agent", store.PeerInfo(p)!.AgentVersion);
        Assert.Equal("v1", store.PeerInfo(p)!.ProtocolVersion);
    }

    [Fact]
    public void RemovePeer_ForgetsEverything()
    {
        using var store = new MemoryPeerstore(new FakeTimeProvider());
        var peer = NewPeer();
        store.AddAddresses(peer, [A1], AddressTtl.Permanent);
        store.RemovePeer(peer);
        Assert.Null(store.PeerInfo(peer));
        Assert.Equal(0, store.Peers.Count);
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        using var store = new MemoryPeerstore(new FakeTimeProvider());
        var peer = NewPeer();
        Assert.Throws<ArgumentNullException>(() => store.AddAddresses(null!, [A1], AddressTtl.Permanent));
        Assert.Throws<ArgumentNullException>(() => store.AddAddresses(peer, null!, AddressTtl.Permanent));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.AddAddresses(peer, [A1], TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.SetAddresses(peer, [A1], TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.RecordLatency(peer, TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryPeerstore(options: new PeerstoreOptions { MaxPeers = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryPeerstore(options: new PeerstoreOptions { LatencySmoothing = 0 }));
    }
}
