using System.IO.Pipelines;
using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Errors;

namespace Rx.Network.Security;

internal sealed partial class SecureChannel
{
    // The hand-over from Input to the muxer's block (IDirectInput): the block asked for, the
    // forwarding of what waited in Input, and whether the receive stage ended; under the lock.
    private readonly Lock gate = new();
    private ITargetBlock<PooledBuffer>? requestedTarget;
    private Task? forwarding;
    private bool inputEnded;

    // The receive loop's own view: null while it delivers into Input.
    private ITargetBlock<PooledBuffer>? direct;

    private async Task ReceiveLoopAsync(PipeReader reader)
    {
        var token = aborted.Token;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (receiveCodec.TryOpen(ref buffer, out var plaintext))
                {
                    if (plaintext.Length == 0)
                    {
                        plaintext.Return();
                        continue;
                    }

                    await DeliverAsync(plaintext, token).ConfigureAwait(false);
                }

                // Measure before advancing: the pipe may recycle the segments afterwards.
                long leftover = buffer.Length;
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    if (leftover != 0)
                    {
                        throw Error.Protocol($"The connection closed inside a frame ({leftover} bytes left over).");
                    }

                    break;
                }
            }

            await EndInputAsync(token).ConfigureAwait(false);
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var reason = abortReason ?? e;
            Abort(reason);
            await reader.CompleteAsync(reason).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Hands one plaintext chunk to the muxer: into <see cref="Input"/>, or straight into the
    /// muxer's block once it took over (<see cref="DeliverInputTo"/>). Waiting here while the muxer
    /// is behind is the backpressure: the receive loop stops reading, and the socket's own bound
    /// stops the remote. The chunk counts in the connection's transport memory until the muxer
    /// takes it (<see cref="InputConsumed"/>).
    /// </summary>
    private async ValueTask DeliverAsync(PooledBuffer plaintext, CancellationToken token)
    {
        int length = plaintext.Length;
        memory?.Receive.Hold(length);
        bool accepted;
        try
        {
            accepted = direct is { } target
                ? await target.SendAsync(plaintext, token).ConfigureAwait(false)
                : await OfferToInputAsync(plaintext, token).ConfigureAwait(false);
        }
        catch
        {
            memory?.Receive.Release(length);
            plaintext.Return();
            throw;
        }

        if (!accepted)
        {
            memory?.Receive.Release(length);
            plaintext.Return();
            throw abortReason ?? new IOException("The connection was closed.");
        }
    }

    /// <inheritdoc/>
    public void DeliverInputTo(ITargetBlock<PooledBuffer> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Exception? fault;
        lock (gate)
        {
            if (requestedTarget is not null)
            {
                throw new InvalidOperationException("The input was already handed to a block.");
            }

            requestedTarget = target;
            fault = Volatile.Read(ref abortReason);

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

    /// <summary>Before the muxer's block took over: into <see cref="Input"/>, or into the block if it took over meanwhile.</summary>
    /// <returns>Whether the chunk was accepted (false: the channel failed).</returns>
    private async ValueTask<bool> OfferToInputAsync(PooledBuffer chunk, CancellationToken token)
    {
        lock (gate)
        {
            if (requestedTarget is null && input.Post(chunk))
            {
                return true;
            }
        }

        if (Volatile.Read(ref requestedTarget) is null)
        {
            try
            {
                if (!await input.SendAsync(chunk, inputWait.Token).ConfigureAwait(false))
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
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
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
        while (input.TryReceive(out var waiting))
        {
            if (!await target.SendAsync(waiting, token).ConfigureAwait(false))
            {
                waiting.Return();
            }
        }

        direct = target;
    }

    /// <summary>Moves the chunks waiting in <see cref="Input"/> to the muxer's block (and completes it when the input had already ended).</summary>
    private async Task ForwardWaitingAsync(ITargetBlock<PooledBuffer> target, bool complete)
    {
        while (input.TryReceive(out var chunk))
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

    /// <summary>The remote closed cleanly: completes <see cref="Input"/>, or the muxer's block once what waited has moved.</summary>
    private async ValueTask EndInputAsync(CancellationToken token)
    {
        ITargetBlock<PooledBuffer>? target;
        lock (gate)
        {
            inputEnded = true;
            target = requestedTarget;
            if (target is null)
            {
                input.Complete();
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

    /// <summary>Faults <see cref="Input"/> and, once handed over, the muxer's block.</summary>
    private void FaultInput(Exception reason)
    {
        ITargetBlock<PooledBuffer>? target;
        lock (gate)
        {
            ((IDataflowBlock)input).Fault(reason);
            target = requestedTarget;
        }

        target?.Fault(reason);
    }
}
