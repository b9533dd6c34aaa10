using System.Net;
using System.Net.Sockets;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Swarm;

namespace Rx.Network.Tests.Swarm;

public partial class SwarmNetworkTests
{
    [Fact]
    public async Task DialPeerAsync_ConcurrentCalls_ShareOneAttemptAndConnection()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        await using var proxy = new GatedProxy(b.ListenAddresses[0]);
        a.Peerstore.AddAddresses(b.LocalPeer, [proxy.Address], AddressTtl.Permanent);

        var accepted = b.NewConnections.FirstAsync().ToTask();
        var dials = Enumerable.Range(0, 16).Select(_ => a.DialPeerAsync(b.LocalPeer)).ToArray();
        await proxy.FirstAccepted;
        proxy.Open();
        var connections = await Task.WhenAll(dials).WaitAsync(Wait);

        Assert.All(connections, c => Assert.Same(connections[0], c));
        Assert.Single(a.Connections);
        Assert.Equal(1, proxy.Accepted);
        Assert.Equal(Direction.Inbound, (await accepted.WaitAsync(Wait)).Direction);
        Assert.Single(b.Connections);

        // With a connection open, a dial returns it without touching the network.
        Assert.Same(connections[0], await a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait));
        Assert.Equal(1, proxy.Accepted);
    }

    [Fact]
    public async Task DialPeerAsync_OneCallerCancels_SharedAttemptGoesOnForTheOthers()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        await using var proxy = new GatedProxy(b.ListenAddresses[0]);
        a.Peerstore.AddAddresses(b.LocalPeer, [proxy.Address], AddressTtl.Permanent);

        using var impatient = new CancellationTokenSource();
        var cancelled = a.DialPeerAsync(b.LocalPeer, impatient.Token);
        var patient = a.DialPeerAsync(b.LocalPeer);
        await proxy.FirstAccepted;
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Wait));
        Assert.False(patient.IsCompleted);

        proxy.Open();
        var connection = await patient.WaitAsync(Wait);
        Assert.Equal(b.LocalPeer, connection.RemotePeer);
        Assert.Equal(1, proxy.Accepted);
        Assert.Equal(Connectedness.Connected, a.Connectedness(b.LocalPeer));
    }

    [Fact]
    public async Task DialPeerAsync_FirstAddressDead_LiveOneWins()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await using var b = await SwarmKit.StartAsync();
        using var dead = new DeadPort();
        var live = b.ListenAddresses[0];
        a.Peerstore.AddAddresses(b.LocalPeer, [dead.Address, live], AddressTtl.Permanent);

        var connection = await a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait);
        Assert.Equal(live, connection.RemoteAddress);
    }

    [Fact]
    public async Task DialPeerAsync_OneAddressAtATime_DeadFirstThenLive()
    {
        await using var a = await SwarmKit.StartAsync(
            x => x.WithOptions(o => o with { Dial = new DialOptions { Parallelism = 1 } }),
            listen: false);
        await using var b = await SwarmKit.StartAsync();
        using var dead1 = new DeadPort();
        using var dead2 = new DeadPort();
        a.Peerstore.AddAddresses(b.LocalPeer, [dead1.Address, b.ListenAddresses[0], dead2.Address], AddressTtl.Permanent);

        var connection = await a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait);
        Assert.Equal(b.ListenAddresses[0], connection.RemoteAddress);
    }

    [Fact]
    public async Task DialPeerAsync_AllAddressesDead_ReportsEachAddress()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        using var dead1 = new DeadPort();
        using var dead2 = new DeadPort();
        using var dead3 = new DeadPort();
        var peer = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);
        Multiaddr[] addresses = [dead1.Address, dead2.Address, dead3.Address];
        a.Peerstore.AddAddresses(peer, addresses, AddressTtl.Permanent);

        var failure = await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(peer).WaitAsync(Wait));
        Assert.Equal(peer, failure.Peer);
        Assert.False(failure.IsBackoff);
        Assert.Equal(addresses.OrderBy(x => x.ToString()), failure.AddressErrors.Select(e => e.Key).OrderBy(x => x.ToString()));
        Assert.All(failure.AddressErrors, e => Assert.IsAssignableFrom<IOException>(e.Value));
        Assert.NotNull(failure.InnerException);
    }

    [Fact]
    public async Task DialPeerAsync_NoKnownAddress_ThrowsDialException()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        var peer = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);

        var failure = await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(peer).WaitAsync(Wait));
        Assert.Equal(peer, failure.Peer);
        Assert.Empty(failure.AddressErrors);
        Assert.False(failure.IsBackoff);
    }

    [Fact]
    public async Task DialPeerAsync_OnlyUndialableAddresses_ThrowsDialException()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        var peer = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);
        a.Peerstore.AddAddresses(peer, [Multiaddr.Parse("/ip4/127.0.0.1/udp/4001")], AddressTtl.Permanent);

        var failure = await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(peer).WaitAsync(Wait));
        Assert.Empty(failure.AddressErrors);
    }

    [Fact]
    public async Task DialPeerAsync_Backoff_FailsFastThenRetriesAfterItElapses_GrowingToTheCap()
    {
        var time = new FakeTimeProvider();
        var dial = new DialOptions { BackoffBase = TimeSpan.FromSeconds(1), BackoffMax = TimeSpan.FromSeconds(4) };
        await using var a = await SwarmKit.StartAsync(x => x.WithTimeProvider(time).WithOptions(o => o with { Dial = dial }), listen: false);
        await using var refuser = new RefusingServer();
        var peer = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);
        a.Peerstore.AddAddresses(peer, [refuser.Address], AddressTtl.Permanent);

        // Failures 1..4 back off 1, 2, 4 and (capped) 4 seconds.
        int expectedAccepts = 0;
        foreach (var backoff in new[] { 1, 2, 4, 4 })
        {
            var failure = await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(peer).WaitAsync(Wait));
            Assert.False(failure.IsBackoff);
            Assert.Equal(++expectedAccepts, refuser.Accepted);

            var fast = await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(peer).WaitAsync(Wait));
            Assert.True(fast.IsBackoff);
            Assert.Empty(fast.AddressErrors);
            Assert.Equal(Connectedness.CannotConnect, a.Connectedness(peer));

            time.Advance(TimeSpan.FromSeconds(backoff) - TimeSpan.FromMilliseconds(1));
            Assert.True((await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(peer).WaitAsync(Wait))).IsBackoff);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        // The backoff dials never reached the network.
        Assert.Equal(expectedAccepts, refuser.Accepted);
    }

    [Fact]
    public async Task DialPeerAsync_SuccessClearsBackoff()
    {
        var time = new FakeTimeProvider();
        var dial = new DialOptions { BackoffBase = TimeSpan.FromSeconds(1), BackoffMax = TimeSpan.FromMinutes(1) };
        await using var a = await SwarmKit.StartAsync(x => x.WithTimeProvider(time).WithOptions(o => o with { Dial = dial }), listen: false);
        await using var b = await SwarmKit.StartAsync(x => x.WithTimeProvider(time));
        using var dead = new DeadPort();
        a.Peerstore.AddAddresses(b.LocalPeer, [dead.Address], AddressTtl.Permanent);

        // Three failures: the next backoff would be 8 s.
        foreach (var backoff in new[] { 1, 2, 4 })
        {
            Assert.False((await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait))).IsBackoff);
            time.Advance(TimeSpan.FromSeconds(backoff));
        }

        a.Peerstore.SetAddresses(b.LocalPeer, b.ListenAddresses, AddressTtl.Permanent);
        await a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait);
        await a.ClosePeerAsync(b.LocalPeer).WaitAsync(Wait);
        await b.DisposeAsync();
        a.Peerstore.SetAddresses(b.LocalPeer, [dead.Address], AddressTtl.Permanent);

        // After the success, the first failure backs off the base again (1 s, not 8 s).
        Assert.False((await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait))).IsBackoff);
        Assert.True((await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait))).IsBackoff);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False((await Assert.ThrowsAsync<DialException>(() => a.DialPeerAsync(b.LocalPeer).WaitAsync(Wait))).IsBackoff);
    }

    [Fact]
    public async Task DialPeerAsync_InvalidArguments_Throw()
    {
        await using var a = await SwarmKit.StartAsync(listen: false);
        await Assert.ThrowsAsync<ArgumentNullException>(() => a.DialPeerAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => a.DialPeerAsync(a.LocalPeer));
    }

    /// <summary>Accepts TCP connections and closes them at once: every handshake with it fails.</summary>
    private sealed class RefusingServer : IAsyncDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly Task loop;
        private int accepted;

        public RefusingServer()
        {
            listener.Start();
            Address = Multiaddr.FromEndPoint((IPEndPoint)listener.LocalEndpoint);
            loop = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        using var client = await listener.AcceptSocketAsync();
                        Interlocked.Increment(ref accepted);
                    }
                }
                catch (Exception)
                {
                    // Stopped.
                }
            });
        }

        public Multiaddr Address { get; }

        public int Accepted => Volatile.Read(ref accepted);

        public async ValueTask DisposeAsync()
        {
            listener.Stop();
            await loop;
        }
    }
}
