using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Reactive;

namespace Rx.Network.Security;

/// <summary>
/// Where the secure channel's receive stage delivers what it opened (ADR 0004, ADR 0011 step 3):
/// its own bounded <see cref="Input"/> block, read by the exchanges before the muxer
/// (multistream-select), until the muxer hands it its demux block
/// (<see cref="Transports.IDirectInput"/>); then the chunks that waited in <see cref="Input"/>
/// move to that block first, in order, and every later chunk goes straight into it.
/// </summary>
/// <remarks>
/// One producer (the receive stage) calls <see cref="SendAsync"/> and <see cref="CompleteAsync"/>,
/// one at a time; <see cref="HandTo"/> and <see cref="Fault"/> may come from any thread. The switch
/// happens on the receive stage's side, after the forwarding of what waited, so order holds
/// whatever the timing: a receive stage waiting for room in <see cref="Input"/> when the block
/// takes over is woken (its wait is cancelled) and sends its chunk to the block instead.
/// Once switched, the input block is dropped (issue #18: about 1.5 KiB per idle connection — its
/// queue segment, source core and link tables) and <see cref="Input"/> is an empty, completed
/// block shared by every channel.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "The cancellation source has no timer or wait handle; nothing to release.")]
internal sealed class InboundHandOver
{
    /// <summary>What <see cref="Input"/> is after the hand-over: empty and completed, shared (nothing can be added to it).</summary>
    private static readonly BufferBlock<PooledBuffer> HandedOver = CompletedBlock();

    private readonly TaskScheduler tasks;

    // Null once the receive stage has switched to the muxer's block (dropped: an idle connection keeps no input block).
    private BufferBlock<PooledBuffer>? input;

    // Cancels the receive stage's wait for room in Input when the block takes over, or on a fault.
    // Never disposed: it has no timer or wait handle.
    private readonly CancellationTokenSource inputWait = new();

    // The block asked for, the forwarding of what waited in Input, whether the receive stage
    // ended, and the channel's failure; under the lock.
    private readonly Lock gate = new();
    private ITargetBlock<PooledBuffer>? requestedTarget;
    private Task? forwarding;
    private bool inputEnded;
    private Exception? faulted;

    // The receive stage's own view: null while it delivers into Input.
    private ITargetBlock<PooledBuffer>? direct;

    /// <summary>Creates the hand-over with an <see cref="Input"/> of <paramref name="capacity"/> chunks.</summary>
    /// <param name="capacity">The input's bound.</param>
    /// <param name="tasks">Where the receive stage resumes after waiting for room in <see cref="Input"/>: the network's <c>NetworkScheduler.Tasks</c>.</param>
    public InboundHandOver(int capacity, TaskScheduler tasks)
    {
        input = new BufferBlock<PooledBuffer>(new DataflowBlockOptions { BoundedCapacity = capacity });
        this.tasks = tasks;
    }

    /// <summary>
    /// The input before the hand-over; afterwards an empty, completed block shared by every channel
    /// (the chunks go to the muxer's block, whose completion or fault is the input's end).
    /// </summary>
    public ISourceBlock<PooledBuffer> Input => Volatile.Read(ref input) ?? HandedOver;

    /// <summary>See <see cref="Transports.IDirectInput.DeliverInputTo"/>.</summary>
    /// <param name="target">The muxer's block.</param>
    /// <exception cref="InvalidOperationException">Already handed to a block.</exception>
    public void HandTo(ITargetBlock<PooledBuffer> target)
    {
        Exception? fault;
        lock (gate)
        {
            if (requestedTarget is not null)
            {
                throw new InvalidOperationException("The input was already handed to a block.");
            }

            requestedTarget = target;
            fault = faulted;

            // The chunks already waiting go first; the receive loop switches once they are moved.
            // Usually synchronous (the target is fresh), so the loop rarely waits for it.
            forwarding = fault is null ? ForwardWaitingAsync(target, complete: inputEnded) : Task.CompletedTask;
        }

        if (fault is not null)
        {
            target.Fault(fault);
            return;
        }

        // Wakes a receive loop waiting for room in Input: it switches to the target instead.
        inputWait.Cancel();
    }

    /// <summary>The receive stage only: into <see cref="Input"/>, or straight into the muxer's block once it took over.</summary>
    /// <param name="chunk">Opened plaintext; the block that accepts it owns it.</param>
    /// <param name="token">Cancelled when the channel is aborted.</param>
    /// <returns>Whether the chunk was accepted (false: the channel failed, the chunk is still the caller's).</returns>
    public ValueTask<bool> SendAsync(PooledBuffer chunk, CancellationToken token) =>
        direct is { } target ? new ValueTask<bool>(target.SendAsync(chunk, token)) : OfferToInputAsync(chunk, token);

    /// <summary>Before the muxer's block took over: into <see cref="Input"/>, or into the block if it took over meanwhile.</summary>
    /// <returns>Whether the chunk was accepted (false: the channel failed).</returns>
    private async ValueTask<bool> OfferToInputAsync(PooledBuffer chunk, CancellationToken token)
    {
        lock (gate)
        {
            if (requestedTarget is null && input!.Post(chunk))
            {
                return true;
            }
        }

        if (Volatile.Read(ref requestedTarget) is null)
        {
            try
            {
                // Dataflow completes a postponed send from a task of its own on the thread pool; the
                // receive stage resumes on the network's scheduler instead (ADR 0011 §2).
                if (!await input!.SendAsync(chunk, inputWait.Token).ResumingOn(tasks))
                {
                    return false;
                }

                if (Volatile.Read(ref requestedTarget) is not null)
                {
                    // Accepted into Input just as the muxer's block took over: it moves with the rest.
                    await SwitchAsync(token).ConfigureAwait(false);
                }

                return true;
            }
            catch (OperationCanceledException) when (Volatile.Read(ref faulted) is null)
            {
                // The muxer's block took over while we waited for room; the chunk is still ours.
            }
        }

        await SwitchAsync(token).ConfigureAwait(false);
        return await direct!.SendAsync(chunk, token).ConfigureAwait(false);
    }

    /// <summary>The receive loop's switch to the muxer's block: after the chunks that waited in <see cref="Input"/>, in order.</summary>
    private async ValueTask SwitchAsync(CancellationToken token)
    {
        ITargetBlock<PooledBuffer> target;
        Task forwarded;
        lock (gate)
        {
            target = requestedTarget!;
            forwarded = forwarding!;
        }

        await forwarded.ConfigureAwait(false);
        var waitingInput = input!;
        while (waitingInput.TryReceive(out var waiting))
        {
            if (!await target.SendAsync(waiting, token).ConfigureAwait(false))
            {
                waiting.Return();
            }
        }

        direct = target;

        // Nothing uses the input block any more (only the receive stage, now past it, posted to
        // it; the forwarding has ended): drop it, so an idle connection does not keep it.
        lock (gate)
        {
            input = null;
        }
    }

    /// <summary>Moves the chunks waiting in <see cref="Input"/> to the muxer's block (and completes it when the input had already ended).</summary>
    private async Task ForwardWaitingAsync(ITargetBlock<PooledBuffer> target, bool complete)
    {
        var waitingInput = input!;
        while (waitingInput.TryReceive(out var chunk))
        {
            if (!await target.SendAsync(chunk).ConfigureAwait(false))
            {
                chunk.Return();
            }
        }

        if (complete)
        {
            target.Complete();
        }
    }

    /// <summary>The receive stage only: the remote closed cleanly; completes <see cref="Input"/>, or the muxer's block once what waited has moved.</summary>
    /// <param name="token">Cancelled when the channel is aborted.</param>
    public async ValueTask CompleteAsync(CancellationToken token)
    {
        ITargetBlock<PooledBuffer>? target;
        lock (gate)
        {
            inputEnded = true;
            target = requestedTarget;
            if (target is null)
            {
                input!.Complete();
            }
        }

        if (target is not null)
        {
            if (direct is null)
            {
                await SwitchAsync(token).ConfigureAwait(false);
            }

            target.Complete();
        }
    }

    /// <summary>The channel failed: faults <see cref="Input"/> and, once handed over, the muxer's block; a receive stage waiting for room stops.</summary>
    /// <param name="reason">Why.</param>
    public void Fault(Exception reason)
    {
        ITargetBlock<PooledBuffer>? target;
        lock (gate)
        {
            faulted ??= reason;
            if (input is IDataflowBlock waiting)
            {
                waiting.Fault(reason);
            }
            target = requestedTarget;
        }

        target?.Fault(reason);
        inputWait.Cancel();
    }

    private static BufferBlock<PooledBuffer> CompletedBlock()
    {
        var block = new BufferBlock<PooledBuffer>();
        block.Complete();
        return block;
    }
}
