using System.Threading.Tasks.Sources;
using Rx.Network.Encoding;

namespace Rx.Network.Muxing;

/// <summary>
/// What the session's single writer sends next: control frames first (window updates, SYN/ACK,
/// RST, pings, GoAway), then stream frames in the order their writers queued them.
/// </summary>
/// <remarks>
/// <para>Control frames go first because they are tiny and unblock the peer (a window update
/// lets its writer continue) and because the read loop must be able to answer (pong, refuse a
/// stream) without waiting behind bulk data. A stream's own ordering survives the priority: its
/// SYN/ACK is queued before it may write, a FIN travels with the data, and a RST may overtake data
/// that the reset discards anyway.</para>
/// <para>Bounded without a fixed capacity: each stream has at most one frame queued per writer
/// (writers wait for their frame to leave) and at most one pending window update (updates are
/// coalesced in the stream); the session caps the control frames the peer can provoke.</para>
/// <para>The writer's wait is a resettable <see cref="IValueTaskSource{TResult}"/>: a bulk transfer
/// empties the queue after nearly every frame, and a fresh task each time was a measurable share
/// of the per-frame allocations (docs/benchmarks.md).</para>
/// </remarks>
internal sealed class OutboundQueue : IValueTaskSource<bool>
{
    private readonly Lock gate = new();
    private readonly Queue<OutboundItem> control = new();
    private readonly Queue<PendingWrite> data = new();
    private ManualResetValueTaskSourceCore<bool> waiter = new() { RunContinuationsAsynchronously = true };
    private bool waiting;
    private bool completed;

    /// <summary>Items waiting.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return control.Count + data.Count;
            }
        }
    }

    /// <summary>Queues a control item; <see langword="false"/> once the queue is completed.</summary>
    public bool TryEnqueueControl(OutboundItem item)
    {
        bool wake;
        lock (gate)
        {
            if (completed)
            {
                return false;
            }

            control.Enqueue(item);
            wake = TakeWaiter();
        }

        Wake(wake, true);
        return true;
    }

    /// <summary>Queues a stream frame; <see langword="false"/> once the queue is completed.</summary>
    public bool TryEnqueueData(PendingWrite write)
    {
        bool wake;
        lock (gate)
        {
            if (completed)
            {
                return false;
            }

            data.Enqueue(write);
            wake = TakeWaiter();
        }

        Wake(wake, true);
        return true;
    }

    /// <summary>Takes the next item: control first.</summary>
    public bool TryDequeue(out OutboundItem item, out PendingWrite? write)
    {
        lock (gate)
        {
            write = null;
            if (control.TryDequeue(out item))
            {
                return true;
            }

            if (data.TryDequeue(out write))
            {
                return true;
            }

            return false;
        }
    }

    /// <summary>
    /// Waits until an item is queued: <see langword="true"/>, or the queue is completed and empty:
    /// <see langword="false"/>. One waiter at a time (the session's writer).
    /// </summary>
    public ValueTask<bool> WaitAsync()
    {
        lock (gate)
        {
            if (control.Count > 0 || data.Count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (completed)
            {
                return new ValueTask<bool>(false);
            }

            // The previous wait was awaited to its end before the writer came back here.
            waiter.Reset();
            waiting = true;
            return new ValueTask<bool>(this, waiter.Version);
        }
    }

    /// <summary>Accepts nothing more; the writer drains what is queued and stops.</summary>
    public void Complete()
    {
        bool wake;
        lock (gate)
        {
            completed = true;
            wake = TakeWaiter();
        }

        Wake(wake, false);
    }

    /// <summary>
    /// Accepts nothing more and hands back everything queued, for the caller to fail and release;
    /// optionally keeps one last control item (a GoAway) for the writer to send.
    /// </summary>
    public (OutboundItem[] Control, PendingWrite[] Data) Drain(OutboundItem? last = null)
    {
        bool wake;
        OutboundItem[] droppedControl;
        PendingWrite[] droppedData;
        lock (gate)
        {
            droppedControl = [.. control];
            droppedData = [.. data];
            control.Clear();
            data.Clear();
            if (last is { } item && !completed)
            {
                control.Enqueue(item);
            }

            completed = true;
            wake = TakeWaiter();
        }

        Wake(wake, true);
        return (droppedControl, droppedData);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        waiter.OnCompleted(continuation, state, token, flags);

    /// <summary>Takes the writer's wait if there is one (under the lock); the caller completes it outside.</summary>
    private bool TakeWaiter()
    {
        var taken = waiting;
        waiting = false;
        return taken;
    }

    private void Wake(bool taken, bool result)
    {
        if (taken)
        {
            waiter.SetResult(result);
        }
    }
}

/// <summary>
/// A control item: a ready frame (RST, ping, pong, GoAway), or a stream whose pending window
/// update (with SYN/ACK flags) is built when the writer reaches it, so updates coalesce.
/// </summary>
internal readonly record struct OutboundItem(PooledBuffer Frame, YamuxStream? WindowUpdateFor, bool Provoked = false)
{
    public static OutboundItem ForFrame(in YamuxHeader header, bool provoked = false)
    {
        var frame = PooledBuffer.Rent(YamuxHeader.Size);
        header.WriteTo(frame.Span);
        return new OutboundItem(frame, null, provoked);
    }

    public static OutboundItem ForWindowUpdate(YamuxStream stream) => new(default, stream);
}
