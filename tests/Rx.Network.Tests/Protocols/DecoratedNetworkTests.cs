using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Protocols;
using static Rx.Network.Tests.Protocols.IdentifyTestKit;

namespace Rx.Network.Tests.Protocols;

/// <summary>
/// Services built on a user's decorator of <see cref="INetwork"/> get everything they need through
/// the public contract (issue #16): the key, the protocol table and its changes, the clock.
/// </summary>
public sealed class DecoratedNetworkTests
{
    [Fact]
    public async Task IdentifyService_OnADecorator_AnnouncesTheKeyAndServedProtocols_AndPushesAChange()
    {
        await using var inner = await StartAsync(builder => builder.WithoutIdentify());
        var decorated = new ForwardingNetwork(inner);
        using var identify = new IdentifyService(decorated, new IdentifyOptions { PushDelay = TimeSpan.Zero });
        using var custom = decorated.SetStreamHandler(Custom, _ => Task.CompletedTask);
        await using var remote = await StartAsync();

        var learned = NextResult(remote, r => r.Peer == inner.LocalPeer && !r.IsPush);
        var learnedBack = identify.Results.FirstAsync(r => r.Peer == remote.LocalPeer).ToTask().WaitAsync(Wait);
        await ConnectAsync(remote, inner);
        var result = await learned;
        await learnedBack;

        Assert.Equal(inner.LocalPublicKey, result.PublicKey);
        Assert.Contains(Custom, result.Protocols);
        Assert.Contains(IdentifyService.ProtocolId, result.Protocols);

        var pushed = NextResult(remote, r => r.Peer == inner.LocalPeer && r.IsPush && r.Protocols.Contains("/late/1.0.0"));
        using var late = decorated.SetStreamHandler("/late/1.0.0", _ => Task.CompletedTask);
        await pushed;
        Assert.Contains("/late/1.0.0", remote.Peerstore.PeerInfo(inner.LocalPeer)!.Protocols);
    }

    [Fact]
    public async Task LocalProtocols_GivesTheCurrentSet_ThenEachChange()
    {
        await using var network = await StartAsync(builder => builder.WithoutIdentify());
        var sets = new List<IReadOnlyCollection<string>>();
        using var subscription = new ForwardingNetwork(network).LocalProtocols.Subscribe(sets.Add);

        using (network.SetStreamHandler(Custom, _ => Task.CompletedTask))
        {
        }

        Assert.Equal(3, sets.Count);
        Assert.DoesNotContain(Custom, sets[0]);
        Assert.Contains(Custom, sets[1]);
        Assert.DoesNotContain(Custom, sets[2]);
    }

    [Fact]
    public async Task RequestReplyService_OnADecorator_TimesOutOnTheNetworksClock()
    {
        var clock = new RequestReplyClock();
        await using var server = await new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync();
        await using var client = await new NetworkBuilder().WithTimeProvider(clock).StartAsync();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var serving = new RequestReplyService(server, RequestReplyNetworks.Protocol, async (_, _) =>
        {
            entered.TrySetResult();
            await release.Task;
            return ReadOnlyMemory<byte>.Empty;
        });
        using var requests = new RequestReplyService(new ForwardingNetwork(client), RequestReplyNetworks.Protocol, new RequestReplyOptions { RequestTimeout = TimeSpan.FromSeconds(5) });
        client.Peerstore.AddAddresses(server.LocalPeer, server.ListenAddresses, Rx.Network.Peerstore.AddressTtl.Temporary);

        var request = requests.RequestAsync(server.LocalPeer, "x"u8.ToArray());
        await entered.Task.WaitAsync(Wait);
        Assert.False(request.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<TimeoutException>(() => request.WaitAsync(Wait));
        release.TrySetResult();
    }
}
