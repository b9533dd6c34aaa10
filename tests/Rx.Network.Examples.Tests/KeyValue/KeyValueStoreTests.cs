using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Examples.KeyValue;
using Rx.Network.Examples.Tests.Fixture;
using Rx.Network.Protocols;

namespace Rx.Network.Examples.Tests.KeyValue;

/// <summary>The store and client in-process: a store on one loopback peer, a client on the other.</summary>
public sealed class KeyValueStoreTests
{
    private static readonly TimeSpan Timeout = LoopbackPeers.Timeout;

    [Fact]
    public async Task Constructor_InvalidArguments_Throw()
    {
        await using var peers = await LoopbackPeers.StartAsync();
        Assert.Throws<ArgumentNullException>(() => new KeyValueStore(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyValueStore(peers.Listener, maxEntries: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyValueStore(peers.Listener, maxValueSize: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyValueStore(peers.Listener, maxValueSize: KeyValueProtocol.MaxValueSize + 1));
        Assert.Throws<ArgumentNullException>(() => new KeyValueClient(null!));
    }

    [Fact]
    public async Task Client_InvalidArguments_ThrowBeforeSending()
    {
        await using var peers = await LoopbackPeers.StartAsync();
        using var client = new KeyValueClient(peers.Dialer);
        var store = peers.Listener.LocalPeer;
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetAsync(null!, "k"));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetAsync(store, null!));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetAsync(store, ""));
        await Assert.ThrowsAsync<ArgumentException>(() => client.DeleteAsync(store, new string('k', KeyValueProtocol.MaxKeyBytes + 1)));
        await Assert.ThrowsAsync<ArgumentException>(() => client.PutAsync(store, "k", new byte[KeyValueProtocol.MaxValueSize + 1]));

        // Nothing was sent: the dialer never connected.
        Assert.Empty(peers.Dialer.Connections);
    }

    [Fact]
    public async Task PutGetDelete_RoundTrip_AndChangesArePublished()
    {
        await using var peers = await LoopbackPeers.StartAsync();
        using var store = new KeyValueStore(peers.Listener);
        using var client = new KeyValueClient(peers.Dialer);
        var server = peers.Listener.LocalPeer;
        var changes = store.Changes.Take(3).ToList().ToTask();
        var key = new string('é', KeyValueProtocol.MaxKeyBytes / 2);

        Assert.Null(await client.GetAsync(server, key).WaitAsync(Timeout));
        await client.PutAsync(server, key, new byte[] { 1, 2, 3 }).WaitAsync(Timeout);
        Assert.Equal(new byte[] { 1, 2, 3 }, await client.GetAsync(server, key).WaitAsync(Timeout));
        await client.PutAsync(server, key, ReadOnlyMemory<byte>.Empty).WaitAsync(Timeout);
        Assert.Equal(Array.Empty<byte>(), await client.GetAsync(server, key).WaitAsync(Timeout));
        Assert.Equal(1, store.Count);
        Assert.True(await client.DeleteAsync(server, key).WaitAsync(Timeout));
        Assert.False(await client.DeleteAsync(server, key).WaitAsync(Timeout));
        Assert.Null(await client.GetAsync(server, key).WaitAsync(Timeout));
        Assert.Equal(0, store.Count);

        var seen = await changes.WaitAsync(Timeout);
        Assert.All(seen, c => Assert.Equal(peers.Dialer.LocalPeer, c.Peer));
        Assert.Equal([false, false, true], seen.Select(c => c.IsDelete));
        Assert.Equal(new byte[] { 1, 2, 3 }, seen[0].Value!.Value.ToArray());
        Assert.Equal(0, seen[1].Value!.Value.Length);
    }

    [Fact]
    public async Task Put_PastTheStoresLimits_IsRefusedWithAReason()
    {
        await using var peers = await LoopbackPeers.StartAsync();
        using var store = new KeyValueStore(peers.Listener, maxEntries: 2, maxValueSize: 8);
        using var client = new KeyValueClient(peers.Dialer);
        var server = peers.Listener.LocalPeer;

        var tooBig = await Assert.ThrowsAsync<KeyValueRefusedException>(() => client.PutAsync(server, "a", new byte[9]).WaitAsync(Timeout));
        Assert.Contains("at most 8 bytes", tooBig.Message, StringComparison.Ordinal);

        await client.PutAsync(server, "a", new byte[8]).WaitAsync(Timeout);
        await client.PutAsync(server, "b", new byte[1]).WaitAsync(Timeout);
        var full = await Assert.ThrowsAsync<KeyValueRefusedException>(() => client.PutAsync(server, "c", new byte[1]).WaitAsync(Timeout));
        Assert.Contains("full (2 keys)", full.Message, StringComparison.Ordinal);

        // Replacing an existing key is not a new entry.
        await client.PutAsync(server, "b", new byte[2]).WaitAsync(Timeout);
        Assert.Equal(2, store.Count);
        Assert.Null(await client.GetAsync(server, "c").WaitAsync(Timeout));
    }

    [Fact]
    public async Task Request_Malformed_IsResetNotAnswered()
    {
        await using var peers = await LoopbackPeers.StartAsync();
        using var store = new KeyValueStore(peers.Listener);
        using var raw = new RequestReplyService(peers.Dialer, KeyValueProtocol.ProtocolId);

        // Field 1 (op) with an operation number the protocol does not define.
        await Assert.ThrowsAsync<RequestFailedException>(() => raw.RequestAsync(peers.Listener.LocalPeer, new byte[] { 0x08, 0x09, 0x12, 0x01, 0x6b }).WaitAsync(Timeout));

        // Not protobuf at all.
        await Assert.ThrowsAsync<RequestFailedException>(() => raw.RequestAsync(peers.Listener.LocalPeer, new byte[] { 0xff, 0xff, 0xff }).WaitAsync(Timeout));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Get_PeerWithoutAStore_FailsNegotiation()
    {
        await using var peers = await LoopbackPeers.StartAsync();
        using var client = new KeyValueClient(peers.Dialer);

        await Assert.ThrowsAsync<NegotiationException>(() => client.GetAsync(peers.Listener.LocalPeer, "k").WaitAsync(Timeout));
    }

    [Fact]
    public async Task Dispose_CompletesChanges_AndStopsServing()
    {
        await using var peers = await LoopbackPeers.StartAsync();
        var store = new KeyValueStore(peers.Listener);
        var completed = store.Changes.LastOrDefaultAsync().ToTask();

        store.Dispose();

        Assert.Null(await completed.WaitAsync(Timeout));
        using var client = new KeyValueClient(peers.Dialer);
        await Assert.ThrowsAsync<NegotiationException>(() => client.GetAsync(peers.Listener.LocalPeer, "k").WaitAsync(Timeout));
    }
}
