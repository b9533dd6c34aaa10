using System.Buffers;
using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Resources;

namespace Rx.Network.Security;

/// <summary>
/// The seal stage of a secured connection's byte path (ADR 0004, ADR 0011 §3): a bounded Dataflow
/// target block of plaintext chunks that coalesces small chunks into one frame, seals chunks of at
/// least <see cref="DirectSealThreshold"/> straight from the chunk, and flushes to the socket once
/// per burst (and every <see cref="SecureChannelOptions.MaxFlushBytes"/>). It is the channel's
/// <c>Output</c>: the muxer's writer <c>SendAsync</c>s into it directly.
/// </summary>
/// <remarks>
/// <para>As a block: at most <see cref="SecureChannelOptions.OutputCapacity"/> chunks are queued;
/// beyond that an offer from a source is postponed (a <c>SendAsync</c> waits, in order) and one
/// without a source (<c>Post</c>) is declined. <see cref="Complete"/> is a graceful half-close: what
/// was accepted is sealed and flushed, then the direction is completed. <see cref="Fault"/> aborts:
/// queued chunks go back to the pool at once, postponed senders are declined, the direction is
/// completed with the reason, and <see cref="Completion"/> faults with it.</para>
/// <para>Processing is the <see cref="ActionBlock{TInput}"/> pattern: an idle block that accepts a
/// chunk starts one task on the network's <see cref="Reactive.NetworkScheduler.Tasks"/>, which
/// drains the queue (however long the burst), flushes, and ends when nothing is queued; one task
/// per burst, as the send loop it replaced woke once per burst. The task is also what coalesces: it
/// stages every small chunk queued behind the first, and seals the staged bytes as one frame when
/// the queue runs empty (a transform block seeing one message at a time could not).</para>
/// <para>Chunks are pooled and owned by the block once accepted: returned after sealing, on a fault
/// (queued ones by <see cref="Fault"/> itself, the one being sealed by the task), and when a
/// postponed chunk is consumed after a fault.</para>
/// </remarks>
internal sealed class SealBlock : ITargetBlock<PooledBuffer>
{
    /// <summary>
    /// Chunks at least this large are sealed straight from the chunk instead of being copied into
    /// the staging buffer first: small writes are coalesced, large ones are not copied twice.
    /// </summary>
    internal const int DirectSealThreshold = 4096;

    private readonly SealOutput output;
    private readonly int capacity;
    private readonly int maxFlushBytes;
    private readonly TransportMemory? memory;
    private readonly TaskScheduler tasks;
    private readonly CancellationToken token;
    private readonly Action<Exception> abort;
    private readonly TaskCompletionSource completion = new();

    // Queue, postponed offers, and the block's state; under the lock.
    private readonly Lock gate = new();
    private readonly Queue<PooledBuffer> queue = new();
    private Queue<(ISourceBlock<PooledBuffer> Source, DataflowMessageHeader Header)>? postponed;
    private int transferring;
    private bool running;
    private bool declining;
    private bool ending;
    private Exception? fault;

    // The processing task's own state (one task at a time).
    private byte[]? staging;

    /// <summary>Creates the seal stage.</summary>
    /// <param name="output">Where sealed bytes go.</param>
    /// <param name="options">The bound (<see cref="SecureChannelOptions.OutputCapacity"/>) and the flush size.</param>
    /// <param name="memory">The connection's transport memory: the plaintext taken is released once flushed; null when not counted.</param>
    /// <param name="tasks">Where the processing task runs: the network's <see cref="Reactive.NetworkScheduler.Tasks"/>.</param>
    /// <param name="abort">The channel's abort, called when sealing or flushing fails.</param>
    /// <param name="token">Cancelled when the channel is aborted: ends a flush waiting for the socket.</param>
    public SealBlock(SealOutput output, SecureChannelOptions options, TransportMemory? memory, TaskScheduler tasks, Action<Exception> abort, CancellationToken token)
    {
        this.output = output;
        capacity = options.OutputCapacity;
        maxFlushBytes = options.MaxFlushBytes;
        this.memory = memory;
        this.tasks = tasks;
        this.token = token;
        this.abort = abort;
    }

    /// <summary>
    /// Completes once the outbound direction has ended: after a graceful half-close (everything
    /// accepted flushed), or faulted with the reason of an abort.
    /// </summary>
    public Task Completion => completion.Task;

    /// <summary>Chunks queued and not yet taken for sealing (for tests and diagnostics).</summary>
    internal int QueuedCount
    {
        get
        {
            lock (gate)
            {
                return queue.Count;
            }
        }
    }

    /// <inheritdoc/>
    public DataflowMessageStatus OfferMessage(DataflowMessageHeader messageHeader, PooledBuffer messageValue, ISourceBlock<PooledBuffer>? source, bool consumeToAccept)
    {
        if (!messageHeader.IsValid)
        {
            throw new ArgumentException("The message header is not valid.", nameof(messageHeader));
        }

        if (source is null && consumeToAccept)
        {
            throw new ArgumentException("Consuming a message needs its source.", nameof(consumeToAccept));
        }

        bool start;
        lock (gate)
        {
            if (declining)
            {
                return DataflowMessageStatus.DecliningPermanently;
            }

            // Full, or earlier offers still waiting (they go first): postpone, or decline a Post.
            if (queue.Count + transferring >= capacity || transferring > 0 || postponed is { Count: > 0 })
            {
                if (source is null)
                {
                    return DataflowMessageStatus.Declined;
                }

                (postponed ??= new()).Enqueue((source, messageHeader));
                return DataflowMessageStatus.Postponed;
            }

            if (consumeToAccept)
            {
                messageValue = source!.ConsumeMessage(messageHeader, this, out bool consumed);
                if (!consumed)
                {
                    return DataflowMessageStatus.NotAvailable;
                }
            }

            queue.Enqueue(messageValue);
            start = !running;
            running = true;
        }

        if (start)
        {
            Start();
        }

        return DataflowMessageStatus.Accepted;
    }

    /// <summary>A graceful half-close: what was accepted is sealed and flushed, then the direction completes; later offers are declined.</summary>
    public void Complete()
    {
        bool start;
        (ISourceBlock<PooledBuffer> Source, DataflowMessageHeader Header)[] waiting;
        lock (gate)
        {
            if (declining)
            {
                return;
            }

            declining = true;
            waiting = TakePostponed();
            start = !running;
            running = true;
        }

        Decline(waiting);
        if (start)
        {
            Start();
        }
    }

    /// <summary>Aborts: queued chunks are returned to the pool now, waiting senders declined, and the direction completed with <paramref name="exception"/>.</summary>
    /// <param name="exception">Why.</param>
    public void Fault(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        bool start;
        PooledBuffer[] dropped;
        (ISourceBlock<PooledBuffer> Source, DataflowMessageHeader Header)[] waiting;
        lock (gate)
        {
            if (fault is not null || ending)
            {
                return;
            }

            fault = exception;
            declining = true;
            dropped = queue.Count == 0 ? [] : queue.ToArray();
            queue.Clear();
            waiting = TakePostponed();
            start = !running;
            running = true;
        }

        foreach (var chunk in dropped)
        {
            chunk.Return();
        }

        Decline(waiting);
        if (start)
        {
            Start();
        }
    }

    /// <summary>Starts the processing task on the network's scheduler (one per burst, as an <see cref="ActionBlock{TInput}"/> does).</summary>
    private void Start() =>
        new Task<Task>(static block => ((SealBlock)block!).ProcessAsync(), this, TaskCreationOptions.DenyChildAttach).Start(tasks);

    /// <summary>
    /// The processing task: drains bursts until nothing is queued (then gives the block back to
    /// idle), or ends the direction (half-close after <see cref="Complete"/>, abort after a fault
    /// or a failed write). Never throws.
    /// </summary>
    private async Task ProcessAsync()
    {
        Exception? failure;
        try
        {
            failure = await DrainAsync().ConfigureAwait(false);
            if (failure is null)
            {
                if (!ending)
                {
                    // Idle again: a later offer starts the next task.
                    return;
                }

                await output.CompleteAsync(null).ConfigureAwait(false);
                completion.TrySetResult();
                return;
            }
        }
        catch (Exception e)
        {
            // Still this task's block (running stays set on a failure): the staging buffer is ours.
            ReturnStaging();
            failure = Volatile.Read(ref fault) ?? e;
        }

        // Aborts the channel, which faults this block (returning what is queued) if not yet.
        abort(failure);
        Fault(failure);
        try
        {
            await output.CompleteAsync(failure).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The direction ends with the first failure either way; this one adds nothing.
        }

        completion.TrySetException(failure);
    }

    /// <summary>
    /// Seals bursts until the queue is empty; then returns null with the block idle (or
    /// <see cref="ending"/> set when completed), or the fault that stopped it.
    /// </summary>
    private async Task<Exception?> DrainAsync()
    {
        int maxPlaintext = output.MaxPlaintextPerFrame;
        while (true)
        {
            int staged = 0;
            long unflushed = 0;

            // Plaintext taken since the last flush: the muxer held it (HoldOutputAsync); released
            // once flushed, when the pipe (which counts it again) or TLS has it.
            long taken = 0;
            bool tookAny = false;
            while (TryTake(out var chunk))
            {
                tookAny = true;
                taken += chunk.Length;
                try
                {
                    var remaining = chunk.Memory;
                    while (!remaining.IsEmpty)
                    {
                        if (remaining.Length >= DirectSealThreshold)
                        {
                            // Small frames staged before a large chunk go out as their own frame:
                            // copying the large chunk behind them would cost a copy of it and shift
                            // every later chunk off the frame boundaries, so the whole burst would
                            // be copied (a 16-byte tag is cheaper).
                            if (staged > 0)
                            {
                                unflushed += await output.EmitAsync(staging.AsMemory(0, staged), token).ConfigureAwait(false);
                                staged = 0;
                            }

                            int direct = Math.Min(remaining.Length, maxPlaintext);
                            unflushed += await output.EmitAsync(remaining[..direct], token).ConfigureAwait(false);
                            remaining = remaining[direct..];
                            continue;
                        }

                        // Rented when a small chunk is first staged and returned once the burst is
                        // flushed: an idle connection holds no staging buffer (64 KiB for Noise).
                        staging ??= ArrayPool<byte>.Shared.Rent(maxPlaintext);
                        int take = Math.Min(remaining.Length, maxPlaintext - staged);
                        remaining.Span[..take].CopyTo(staging.AsSpan(staged));
                        staged += take;
                        remaining = remaining[take..];
                        if (staged == maxPlaintext)
                        {
                            unflushed += await output.EmitAsync(staging.AsMemory(0, staged), token).ConfigureAwait(false);
                            staged = 0;
                        }
                    }
                }
                finally
                {
                    chunk.Return();
                }

                if (unflushed >= maxFlushBytes)
                {
                    await output.FlushAsync(token).ConfigureAwait(false);
                    unflushed = 0;
                    memory?.Send.Release(taken);
                    taken = 0;
                }
            }

            if (tookAny && Volatile.Read(ref fault) is null)
            {
                // Nothing more is queued right now: send what is staged as one frame.
                if (staged > 0)
                {
                    await output.EmitAsync(staging.AsMemory(0, staged), token).ConfigureAwait(false);
                }

                await output.FlushAsync(token).ConfigureAwait(false);
                memory?.Send.Release(taken);
            }

            // Aborted mid-burst, nothing more is written: what is staged is dropped with the rest.
            ReturnStaging();
            lock (gate)
            {
                if (fault is not null)
                {
                    return fault;
                }

                if (queue.Count > 0 || transferring > 0 || postponed is { Count: > 0 })
                {
                    // More arrived while this burst was flushed: the same task goes on.
                    continue;
                }

                if (declining)
                {
                    ending = true;
                }
                else
                {
                    running = false;
                }

                return null;
            }
        }
    }

    /// <summary>
    /// Takes the next queued chunk; for each slot that frees, consumes the oldest postponed offer
    /// (a waiting <c>SendAsync</c>), in order. False when nothing is queued or the block faulted.
    /// </summary>
    private bool TryTake(out PooledBuffer chunk)
    {
        while (true)
        {
            (ISourceBlock<PooledBuffer> Source, DataflowMessageHeader Header) next;
            bool taken;
            lock (gate)
            {
                if (fault is not null)
                {
                    chunk = default;
                    return false;
                }

                taken = queue.TryDequeue(out chunk);
                if (postponed is not { Count: > 0 } || queue.Count + transferring >= capacity)
                {
                    return taken;
                }

                next = postponed.Dequeue();
                transferring++;
            }

            // Outside the lock: the source may run its own (a postponed SendAsync completes later, on its own task).
            var value = default(PooledBuffer);
            bool consumed = false;
            try
            {
                value = next.Source.ConsumeMessage(next.Header, this, out consumed);
            }
            finally
            {
                bool drop;
                lock (gate)
                {
                    transferring--;
                    drop = consumed && fault is not null;
                    if (consumed && !drop)
                    {
                        queue.Enqueue(value);
                    }
                }

                if (drop)
                {
                    value.Return();
                }
            }

            if (taken)
            {
                return true;
            }
        }
    }

    /// <summary>Under the lock: the postponed offers, to decline outside it.</summary>
    private (ISourceBlock<PooledBuffer> Source, DataflowMessageHeader Header)[] TakePostponed()
    {
        if (postponed is not { Count: > 0 })
        {
            return [];
        }

        var waiting = postponed.ToArray();
        postponed.Clear();
        return waiting;
    }

    /// <summary>
    /// Tells postponed sources the block will not take their messages: reserved and released, as
    /// Dataflow's own blocks do, so a waiting <c>SendAsync</c> offers again, is declined, and
    /// returns false with the chunk still its sender's.
    /// </summary>
    private void Decline((ISourceBlock<PooledBuffer> Source, DataflowMessageHeader Header)[] waiting)
    {
        foreach (var (source, header) in waiting)
        {
            if (source.ReserveMessage(header, this))
            {
                source.ReleaseReservation(header, this);
            }
        }
    }

    private void ReturnStaging()
    {
        if (staging is not null)
        {
            ArrayPool<byte>.Shared.Return(staging);
            staging = null;
        }
    }
}
