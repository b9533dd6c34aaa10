using System.Security.Cryptography;
using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Security;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security;

/// <summary>
/// The hand-over of the receive stage to the muxer's block (<see cref="IDirectInput"/>, ADR 0011 §3):
/// what waited in Input first and in order, then straight into the block; its end and failures.
/// </summary>
public abstract partial class SecureChannelConformance
{
    [Fact]
    public async Task DirectInput_WhileTheInputIsFull_DeliversEveryByteInOrder()
    {
        var (a, b) = await CreatePairAsync(new SecureChannelOptions { InputCapacity = 4 });
        var payload = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 5);
        var sending = SendAllAsync(a, payload, seed: 6);

        // Bytes are flowing and nobody takes them: the input fills and the receive loop waits for room.
        var head = await b.Input.ReceiveAsync(Timeout);
        var received = new MemoryStream();
        received.Write(head.Span);
        head.Return();

        // Smaller than the input's bound: the chunks that waited cannot all be posted at once.
        var target = Collector(received, capacity: 2);
        ((IDirectInput)b).DeliverInputTo(target);
        await sending.WaitAsync(Timeout);
        a.Output.Complete();

        await target.Completion.WaitAsync(Timeout);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received.ToArray()));
    }

    [Fact]
    public async Task DirectInput_AfterTheRemoteClosed_DeliversTheRestAndCompletes()
    {
        var (a, b) = await CreatePairAsync();
        var payload = RandomNumberGenerator.GetBytes(50_000);
        await SendAllAsync(a, payload, seed: 7);
        a.Output.Complete();

        // Whether b's receive stage saw the end before the hand-over or after: every byte, then completion.
        var received = new MemoryStream();
        var target = Collector(received, capacity: 16);
        ((IDirectInput)b).DeliverInputTo(target);

        await target.Completion.WaitAsync(Timeout);
        Assert.Equal(payload, received.ToArray());
    }

    [Fact]
    public async Task DirectInput_AbortedBeforeOrAfter_FaultsTheBlockWithTheReason()
    {
        var (a, b) = await CreatePairAsync();
        var early = new IOException("aborted before the hand-over");
        a.Abort(early);
        var first = Collector(new MemoryStream(), capacity: 16);
        ((IDirectInput)a).DeliverInputTo(first);
        Assert.Same(early, Unwrap(await Assert.ThrowsAnyAsync<Exception>(() => first.Completion.WaitAsync(Timeout))));

        var (c, d) = await CreatePairAsync();
        var second = Collector(new MemoryStream(), capacity: 16);
        ((IDirectInput)c).DeliverInputTo(second);
        Assert.Throws<InvalidOperationException>(() => ((IDirectInput)c).DeliverInputTo(Collector(new MemoryStream(), 1)));
        var late = new IOException("aborted after the hand-over");
        c.Abort(late);
        Assert.Same(late, Unwrap(await Assert.ThrowsAnyAsync<Exception>(() => second.Completion.WaitAsync(Timeout))));
        b.Abort(late);
        d.Abort(late);
    }

    [Fact]
    public async Task DirectInput_AfterTheSwitch_InputIsDroppedForAnEmptyCompletedBlock()
    {
        var (a, b) = await CreatePairAsync();
        var before = b.Input;
        long received = 0;
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var target = new ActionBlock<PooledBuffer>(
            chunk =>
            {
                if (Interlocked.Add(ref received, chunk.Length) >= 3)
                {
                    arrived.TrySetResult();
                }

                chunk.Return();
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = 16 });
        ((IDirectInput)b).DeliverInputTo(target);
        await SendAllAsync(a, [1, 2, 3], seed: 8);
        await arrived.Task.WaitAsync(Timeout);

        // The receive stage switched before its first delivery into the block: the input block is
        // gone (an idle connection does not keep it), and Input is an empty, completed block.
        var after = b.Input;
        Assert.NotSame(before, after);
        await after.Completion.WaitAsync(Timeout);
        Assert.False(((IReceivableSourceBlock<PooledBuffer>)after).TryReceive(out _));

        // The channel's end still reaches the muxer's block.
        var reason = new IOException("aborted after the switch");
        b.Abort(reason);
        Assert.Same(reason, Unwrap(await Assert.ThrowsAnyAsync<Exception>(() => target.Completion.WaitAsync(Timeout))));
        a.Abort(reason);
    }

    private static ActionBlock<PooledBuffer> Collector(MemoryStream into, int capacity) =>
        new(
            chunk =>
            {
                into.Write(chunk.Span);
                chunk.Return();
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = capacity });
}
