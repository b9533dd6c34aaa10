using System.Threading.Tasks.Sources;
using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;

namespace Rx.Network.Security;

/// <summary>
/// The reusable waiter behind <see cref="Transports.IInputReadiness"/>: one consumer waits on it
/// when the input block runs empty; the secure channel's receive loop, the block's only producer,
/// wakes it after each chunk it adds and when the input ends.
/// </summary>
/// <remarks>
/// The consumer is woken on the thread pool, as with Dataflow. Running it inline on the receive
/// loop's thread (decrypt, then demux, no hand-off) was measured and lost: the receive path then
/// outran the stream readers, yamux receive buffers filled up to their windows, and the 64 KiB
/// pool buckets ran dry (0.07-0.2 allocated bytes per payload byte instead of 0.003, and
/// 5-25 % more CPU per byte).
/// </remarks>
internal sealed class InputSignal : IValueTaskSource<bool>
{
    private readonly BufferBlock<PooledBuffer> block;
    private ManualResetValueTaskSourceCore<bool> core;
    private int waiting;
    private volatile bool ended;
    private volatile bool faulted;

    public InputSignal(BufferBlock<PooledBuffer> block)
    {
        this.block = block;
        core.RunContinuationsAsynchronously = true;
    }

    /// <summary>Consumer side: see <see cref="Transports.IInputReadiness.WaitForInputAsync"/>.</summary>
    public ValueTask<bool> WaitAsync()
    {
        if (block.Count > 0 || ended)
        {
            return new ValueTask<bool>(HasMore());
        }

        core.Reset();
        Interlocked.Exchange(ref waiting, 1);

        // A chunk (or the end) may have come between the check above and publishing the wait.
        if ((block.Count > 0 || ended) && Interlocked.Exchange(ref waiting, 0) == 1)
        {
            return new ValueTask<bool>(HasMore());
        }

        return new ValueTask<bool>(this, core.Version);
    }

    /// <summary>Producer side: a chunk was added.</summary>
    public void Notify()
    {
        if (Volatile.Read(ref waiting) == 1 && Interlocked.Exchange(ref waiting, 0) == 1)
        {
            core.SetResult(true);
        }
    }

    /// <summary>The input completed (<paramref name="fault"/> false) or faulted: no more chunks will come.</summary>
    public void End(bool fault)
    {
        faulted |= fault;
        ended = true;
        if (Interlocked.Exchange(ref waiting, 0) == 1)
        {
            core.SetResult(HasMore());
        }
    }

    /// <inheritdoc/>
    public bool GetResult(short token) => core.GetResult(token);

    /// <inheritdoc/>
    public ValueTaskSourceStatus GetStatus(short token) => core.GetStatus(token);

    /// <inheritdoc/>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        core.OnCompleted(continuation, state, token, flags);

    // After a normal end, what was added before it is still there to take; a faulted block drops it.
    private bool HasMore() => !faulted && block.Count > 0;
}
