using System.Net;
using System.Security.Cryptography;
using Rx.Network.Identity;
using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Transports;

/// <summary>A TCP (and WebSocket) connection's receive pump under the resource manager's budget (<see cref="TransportBuffer"/>).</summary>
public sealed class TcpConnectionBudgetTests
{
    private static readonly PeerId Remote = PeerId.FromPublicKey(PrivateKey.Generate().PublicKey);
    private readonly TcpTransport transport = new();

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task Receive_FloodWhileTheBudgetRefuses_ReadsNoMoreThanTheFloor_ThenResumesWhenMemoryFrees_WithNoLeak(string kind)
    {
        var limits = ResourceLimits.Default with
        {
            System = ResourceLimits.Default.System with { Memory = TransportBuffer.Batch },
            RefusalReportInterval = TimeSpan.Zero,
        };
        using var manager = new ResourceManager(limits, TimeProvider.System, publishPeriodically: false);
        var refused = new TaskCompletionSource<ResourceRefusal>(TaskCreationOptions.RunContinuationsAsynchronously);
        manager.Refused = r => refused.TrySetResult(r);
        var scope = manager.TryOpenOutbound(Remote, out _)!;
        Assert.True(scope.TrySetRemoteAddress(IPAddress.Loopback, out _));

        // Something else holds the whole system budget.
        var blocker = scope.TryOpenStream(inbound: false, TransportBuffer.Batch, out _)!;

        var webSockets = new WebSocketTransport();
        await using var listener = kind == "ws" ? await webSockets.ListenAsync(WebSocketTestKit.Ws4) : await transport.ListenAsync(TcpTestKit.Any4);
        var (dialed, accepted) = kind == "ws"
            ? await WebSocketTestKit.ConnectAsync(webSockets, listener)
            : await TcpTestKit.ConnectAsync(transport, listener);
        await using var dialedEnd = dialed;
        await using var acceptedEnd = accepted;
        var memory = accepted.Memory!;
        scope.AttachTransport(memory);

        // Far more than the kernel's buffers and the remote's pipe hold: the writer cannot finish
        // unless we read.
        var payload = RandomNumberGenerator.GetBytes(32 << 20);
        var writing = dialed.Pipe.Output.WriteAsync(payload).AsTask();

        var refusal = await refused.Task.WaitAsync(TcpTestKit.Wait);
        Assert.Equal(ScopeKind.System, refusal.Error.Kind);
        Assert.Equal(Resource.Memory, refusal.Error.Resource);
        Assert.Null(refusal.Protocol);

        // Refused: the pump keeps to the floor, whatever keeps arriving (sampled while the flood
        // goes on: the writer is still blocked on what we do not read).
        for (int i = 0; i < 50; i++)
        {
            Assert.InRange(memory.Receive.Held, 0, TransportBuffer.Floor);
            Assert.Equal(0, memory.Receive.Reserved);
            await Task.Yield();
        }

        Assert.False(writing.IsCompleted);
        Assert.Equal(TransportBuffer.Batch, manager.SystemUsage.Memory);

        // Memory frees: reading resumes (reserving again once drained), and every byte arrives.
        blocker.Dispose();
        var read = TcpTestKit.ReadExactlyAsync(accepted.Pipe.Input, payload.Length);
        Assert.Equal(payload, await read);
        await writing.WaitAsync(TcpTestKit.Wait);
        Assert.Equal(0, memory.Receive.Held);

        await dialed.DisposeAsync();
        scope.Dispose();
        Assert.True(manager.SystemUsage.IsZero, $"still held: {manager.SystemUsage}");
        Assert.Equal(0, manager.SharedScopeCount);
        Assert.Equal(0, memory.Receive.Reserved);
        Assert.Equal(0, memory.Send.Reserved);
    }

    [Fact]
    public async Task Send_BytesWrittenCountUntilSent_AndReceivedUntilConsumed()
    {
        await using var listener = await transport.ListenAsync(TcpTestKit.Any4);
        var (dialed, accepted) = await TcpTestKit.ConnectAsync(transport, listener);
        await using var dialedEnd = dialed;
        await using var acceptedEnd = accepted;

        var payload = RandomNumberGenerator.GetBytes(300_000);
        await TcpTestKit.WriteAsync(dialed, payload);
        Assert.Equal(payload, await TcpTestKit.ReadExactlyAsync(accepted.Pipe.Input, payload.Length));

        // Everything read was released; everything written is released once sent (a graceful
        // dispose waits for the send pump).
        Assert.Equal(0, accepted.Memory!.Receive.Held);
        await dialed.DisposeAsync();
        Assert.Equal(0, dialed.Memory!.Send.Held);
    }
}
