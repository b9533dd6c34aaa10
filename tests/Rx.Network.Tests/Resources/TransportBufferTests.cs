using System.Net;
using Rx.Network.Identity;
using Rx.Network.Resources;

namespace Rx.Network.Tests.Resources;

/// <summary>A connection's transport buffers as they reserve in its scopes (<see cref="TransportBuffer"/>).</summary>
public sealed class TransportBufferTests
{
    private const int Floor = TransportBuffer.Floor;
    private const int Batch = TransportBuffer.Batch;
    private static readonly IPAddress Address = IPAddress.Parse("192.0.2.9");
    private static readonly PeerId Remote = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);

    private static ResourceManager Manager(long systemMemory = long.MaxValue) =>
        new(ResourceLimits.Default with { System = ResourceLimits.Default.System with { Memory = systemMemory }, RefusalReportInterval = TimeSpan.Zero }, TimeProvider.System, publishPeriodically: false);

    private static (ConnectionScope Scope, TransportMemory Memory) Outbound(ResourceManager manager)
    {
        var scope = manager.TryOpenOutbound(Remote, out _)!;
        Assert.True(scope.TrySetRemoteAddress(Address, out _));
        var memory = new TransportMemory();
        scope.AttachTransport(memory);
        return (scope, memory);
    }

    private static void AssertAllReleased(ResourceManager manager)
    {
        Assert.True(manager.SystemUsage.IsZero, $"system still holds {manager.SystemUsage}");
        Assert.True(manager.TransientScope.IsEmpty);
        Assert.Equal(0, manager.SharedScopeCount);
        Assert.Equal(0, manager.ConnectionScopeCount);
    }

    [Fact]
    public void Room_Unattached_IsUnlimited_AndCountsAnyway()
    {
        var buffer = new TransportBuffer();
        buffer.Hold(10 * Batch);
        Assert.Equal(Batch, buffer.Room(Batch));
        Assert.Equal(10 * Batch, buffer.Held);
        Assert.Equal(0, buffer.Reserved);
    }

    [Fact]
    public void Room_WithinTheFloor_ReservesNothing()
    {
        using var manager = Manager();
        var (scope, memory) = Outbound(manager);
        Assert.Equal(Floor, memory.Receive.Room(Floor));
        memory.Receive.Hold(Floor);
        Assert.Equal(0, memory.Receive.Reserved);
        Assert.Equal(0, manager.SystemUsage.Memory);

        memory.Receive.Release(Floor);
        scope.Dispose();
        AssertAllReleased(manager);
    }

    [Fact]
    public void Room_BeyondTheFloor_ReservesWholeBatchesInEveryScopeOfTheConnection_AndDrainingGivesThemBack()
    {
        using var manager = Manager();
        var (scope, memory) = Outbound(manager);
        var receive = memory.Receive;
        receive.Hold(Floor);

        // One byte past the floor reserves one batch, in the connection, peer, address and system.
        Assert.Equal(1, receive.Room(1));
        receive.Hold(1);
        Assert.Equal(Batch, receive.Reserved);
        Assert.Equal(Batch, manager.SystemUsage.Memory);
        Assert.All(scope.Chain, s => Assert.Equal(Batch, s.Used(Resource.Memory)));
        Assert.Contains(scope.Chain, s => s.Kind == ScopeKind.Address);
        Assert.Contains(scope.Chain, s => s.Kind == ScopeKind.Peer);

        // Growing within the batch costs no reservation; the next one rounds up to whole batches.
        receive.Hold(Batch - 1);
        Assert.Equal(Batch, receive.Reserved);
        Assert.Equal(3 * Batch, receive.Room(3 * Batch));
        receive.Hold(3 * Batch);
        Assert.Equal(4 * Batch, receive.Reserved);

        // Draining keeps one batch of slack beyond the need, and nothing once empty.
        receive.Release(2 * Batch);
        Assert.Equal(3 * Batch, receive.Reserved);
        receive.Release(receive.Held);
        Assert.Equal(0, receive.Reserved);
        Assert.Equal(0, manager.SystemUsage.Memory);

        scope.Dispose();
        AssertAllReleased(manager);
    }

    [Fact]
    public void Room_Refused_KeepsToTheFloor_ReportsTheRefusal_AndRetriesOnceDrained()
    {
        var refusals = new List<ResourceRefusal>();
        using var manager = Manager(systemMemory: Batch);
        manager.Refused = refusals.Add;
        var (scope, memory) = Outbound(manager);
        var receive = memory.Receive;

        // Another reservation holds the system's whole budget.
        var stream = scope.TryOpenStream(inbound: false, Batch, out _)!;
        receive.Hold(Floor - 100);
        Assert.Equal(100, receive.Room(Batch));
        Assert.Equal(0, receive.Reserved);
        var refusal = Assert.Single(refusals);
        Assert.Equal(ScopeKind.System, refusal.Error.Kind);
        Assert.Equal(Resource.Memory, refusal.Error.Resource);
        Assert.Equal(Remote, refusal.Peer);

        // Refused once, it does not ask again on every read while the floor is still full.
        receive.Hold(100);
        Assert.Equal(0, receive.Room(Batch));
        Assert.Single(refusals);

        // Memory frees and the buffer drains to half the floor: the next read reserves again.
        stream.Dispose();
        receive.Release(Floor / 2 + 1);
        Assert.Equal(Batch, receive.Room(Batch));
        Assert.Equal(Batch, receive.Reserved);
        Assert.Single(refusals);

        receive.Release(receive.Held);
        scope.Dispose();
        AssertAllReleased(manager);
    }

    [Fact]
    public void Room_WhileThePeerIsNotProven_KeepsToTheFloor_WithoutAReport()
    {
        var refusals = new List<ResourceRefusal>();
        using var manager = Manager();
        manager.Refused = refusals.Add;
        var scope = manager.TryOpenInbound(Address, out _)!;
        var memory = new TransportMemory();
        scope.AttachTransport(memory);

        memory.Receive.Hold(Floor);
        Assert.Equal(0, memory.Receive.Room(Batch));
        Assert.Empty(refusals);
        Assert.Equal(ConnectionScope.HandshakeMemory, manager.SystemUsage.Memory);

        // Proven: it may grow, in the established chain.
        Assert.True(scope.TrySetPeer(Remote, out _));
        memory.Receive.Release(Floor);
        Assert.Equal(2 * Floor, memory.Receive.Room(2 * Floor));
        Assert.Equal(Batch, manager.SystemUsage.Memory);

        scope.Dispose();
        Assert.Equal(0, memory.Receive.Reserved);
        AssertAllReleased(manager);
    }

    [Fact]
    public async Task WaitAsync_CompletesOnceDrained_OrWhenStopped()
    {
        var buffer = new TransportBuffer();
        buffer.Hold(Floor);
        Assert.True(buffer.WaitAsync(Floor).AsTask().IsCompletedSuccessfully);

        var waiting = buffer.WaitAsync(Floor / 2).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.True(buffer.IsWaiting);
        buffer.Release(Floor / 4);
        Assert.False(waiting.IsCompleted);
        buffer.Release(Floor / 4);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(buffer.IsWaiting);

        var stopped = buffer.WaitAsync(0).AsTask();
        buffer.Stop();
        await stopped.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Batch, buffer.Room(Batch));
    }

    [Fact]
    public async Task WaitAsync_AtResumeAt_EndsWhileThePipeStillHoldsAPartialFrame()
    {
        // The pipe holds all but one byte of a maximal Noise frame; the muxer has chunks to take.
        var buffer = new TransportBuffer();
        buffer.Hold(65_536);
        buffer.Hold(20_000);
        var waiting = buffer.WaitAsync(TransportBuffer.ResumeAt).AsTask();
        Assert.False(waiting.IsCompleted);

        // The muxer takes its chunks: the pump must read again, or the frame never completes.
        buffer.Release(20_000);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(TransportBuffer.Floor - buffer.Held >= 1);
    }

    [Fact]
    public async Task HoldAsync_WithoutRoom_WaitsForTheSocketToDrain_AndAnEmptyBufferTakesAnyChunk()
    {
        using var manager = Manager(systemMemory: 0);
        var (scope, memory) = Outbound(manager);
        var send = memory.Send;

        // Larger than the floor, but the buffer is empty: it goes (no deadlock on a large chunk).
        Assert.True(send.HoldAsync(Floor + 1).AsTask().IsCompletedSuccessfully);
        var next = send.HoldAsync(1000).AsTask();
        Assert.False(next.IsCompleted);
        send.Release(Floor + 1);
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1000, send.Held);

        send.Release(1000);
        scope.Dispose();
        AssertAllReleased(manager);
    }

    [Fact]
    public void Close_GivesBackEveryReservation_EvenWithBytesStillHeld()
    {
        using var manager = Manager();
        var (scope, memory) = Outbound(manager);
        memory.Receive.Hold(memory.Receive.Room(2 * Batch));
        memory.Send.Hold(memory.Send.Room(3 * Batch));
        Assert.True(manager.SystemUsage.Memory >= 4 * Batch);

        scope.Dispose();
        Assert.Equal(0, memory.Receive.Reserved);
        Assert.Equal(0, memory.Send.Reserved);
        AssertAllReleased(manager);
    }

    [Fact]
    public void TrySetRemoteAddress_CountsAnOutboundConnectionInItsAddressScopes_UnderItsOwnLimit()
    {
        using var manager = new ResourceManager(
            ResourceLimits.Default with { Ip4Address = ResourceLimits.Default.Ip4Address with { OutboundConnections = 1 } },
            TimeProvider.System,
            publishPeriodically: false);
        var first = manager.TryOpenOutbound(Remote, out _)!;
        Assert.True(first.TrySetRemoteAddress(Address, out _));
        var address = Assert.Single(first.Chain, s => s.Kind == ScopeKind.Address);
        Assert.Equal($"address:{Address}/32", address.Name);
        Assert.Equal(1, address.Used(Resource.OutboundConnections));
        Assert.Equal(0, address.Used(Resource.InboundConnections));

        // Its streams count in the address too, as an inbound connection's do.
        var stream = first.TryOpenStream(inbound: true, YamuxWindow, out _)!;
        Assert.Equal(YamuxWindow, address.Used(Resource.Memory));
        Assert.Equal(1, address.Used(Resource.InboundStreams));

        // The address's outbound limit refuses the next one, naming the scope.
        var second = manager.TryOpenOutbound(PeerId.FromPublicKey(PrivateKey.Generate().PublicKey), out _)!;
        Assert.False(second.TrySetRemoteAddress(Address, out var refusal));
        Assert.Equal(ScopeKind.Address, refusal!.Kind);
        Assert.Equal(Resource.OutboundConnections, refusal.Resource);
        second.Dispose();

        stream.Dispose();
        first.Dispose();
        AssertAllReleased(manager);
    }

    [Fact]
    public void TrySetRemoteAddress_AllowlistedPeerOrAddress_CountsNothingThere()
    {
        var allowedPeer = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);
        using var manager = new ResourceManager(
            ResourceLimits.Default with { Allowlist = new ResourceAllowlist { Peers = new HashSet<PeerId> { allowedPeer }, Networks = [IPNetwork.Parse("198.51.100.0/24")] } },
            TimeProvider.System,
            publishPeriodically: false);
        var byPeer = manager.TryOpenOutbound(allowedPeer, out _)!;
        Assert.True(byPeer.TrySetRemoteAddress(Address, out _));
        var byAddress = manager.TryOpenOutbound(Remote, out _)!;
        Assert.True(byAddress.TrySetRemoteAddress(IPAddress.Parse("198.51.100.7"), out _));
        Assert.DoesNotContain(byPeer.Chain, s => s.Kind == ScopeKind.Address);
        Assert.DoesNotContain(byAddress.Chain, s => s.Kind == ScopeKind.Address);

        byPeer.Dispose();
        byAddress.Dispose();
        AssertAllReleased(manager);
    }

    private const int YamuxWindow = Rx.Network.Muxing.YamuxHeader.InitialWindow;
}
