using System.Runtime.InteropServices;
using Rx.Network.Encoding;

namespace Rx.Network.Muxing;

/// <summary>
/// What the session's writer sends next: control frames first (window updates, SYN/ACK,
/// RST, pings, GoAway), then small stream frames, then bulk stream frames, each lane in the order
/// its streams queued them; and who the writer is.
/// </summary>
/// <remarks>
/// <para>Control frames go first because they are tiny and unblock the peer (a window update
/// lets its writer continue) and because the read loop must be able to answer (pong, refuse a
/// stream) without waiting behind bulk data. A stream's own ordering survives the priority: its
/// SYN/ACK is queued before it may write, a FIN travels with the data, and a RST may overtake data
/// that the reset discards anyway.</para>
/// <para>Stream frames take one of two lanes (ADR 0005, "Fairness between streams"). A
/// <em>small</em> frame, one that cannot grow and carries at most <see cref="SmallFrameLimit"/>
/// bytes (a ping, a request, a message), goes ahead of <em>bulk</em> frames, the ones a bulk
/// writer fills up to a full frame: an interactive stream does not wait behind the frames every
/// bulk stream has queued. The small lane cannot starve the bulk one: after
/// <see cref="SmallBurstLimit"/> bytes of small frames in a row while a bulk frame waits, the
/// next frame is a bulk one. Within a lane the order is first come, first served, and each stream
/// has at most one data frame queued, so bulk streams take turns of at most one frame each (round
/// robin, a frame of at most <see cref="YamuxOptions.MaxFrameSize"/> bytes a turn). A FIN takes the
/// lane of its stream's queued data frame, if it has one, so it never overtakes its data.</para>
/// <para>Bounded without a fixed capacity: each stream has at most one data frame queued (it waits
/// for that frame to leave before queuing the next; a FIN may follow it) and at most one pending
/// window update (updates are coalesced in the stream); the session caps the control frames the
/// peer can provoke.</para>
/// <para>The writer is not a loop waiting on the queue: whoever queues into an idle queue is told
/// to start it (<c>startWriter</c>), and it drains the queue until <see cref="TakeNext"/> finds it
/// empty and hands the role back, all under the queue's lock, so exactly one writer runs and no
/// item is left behind.</para>
/// </remarks>
internal sealed class OutboundQueue
{
    /// <summary>The most payload bytes a frame of the small lane carries: 4 KiB.</summary>
    public const int SmallFrameLimit = 4 * 1024;

    /// <summary>The most bytes of small frames sent in a row while a bulk frame waits: 64 KiB, about one full frame.</summary>
    public const int SmallBurstLimit = 64 * 1024;

    private readonly Lock gate = new();
    private readonly Queue<OutboundItem> control = new();
    private readonly Queue<PendingWrite> small = new();
    private readonly Queue<PendingWrite> data = new();

    // Frames each stream has in the bulk lane (a data frame, and perhaps the FIN behind it).
    private readonly Dictionary<YamuxStream, int> inBulkLane = [];
    private int smallInARow;
    private bool writing;
    private bool completed;

    /// <summary>What <see cref="TakeNext"/> found.</summary>
    public enum Take
    {
        /// <summary>An item to send; the caller remains the writer.</summary>
        Item,

        /// <summary>Nothing queued: the caller is no longer the writer.</summary>
        Idle,

        /// <summary>Completed and empty: nothing will ever be queued again; the caller stays the writer for good.</summary>
        Finished,
    }

    /// <summary>Items waiting.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return control.Count + small.Count + data.Count;
            }
        }
    }

    /// <summary>Stream frames waiting (both lanes): what the frame block's bound counts.</summary>
    public int DataCount
    {
        get
        {
            lock (gate)
            {
                return small.Count + data.Count;
            }
        }
    }

    /// <summary>Queues a control item; <see langword="false"/> once the queue is completed.</summary>
    /// <param name="item">The item.</param>
    /// <param name="startWriter">Set when no writer was running: the caller must start one.</param>
    public bool TryEnqueueControl(OutboundItem item, out bool startWriter)
    {
        lock (gate)
        {
            startWriter = false;
            if (completed)
            {
                return false;
            }

            control.Enqueue(item);
            startWriter = TakeWriterRole();
            return true;
        }
    }

    /// <summary>Queues a stream frame; <see langword="false"/> once the queue is completed.</summary>
    /// <param name="write">The frame.</param>
    /// <param name="startWriter">Set when no writer was running: the caller must start one.</param>
    public bool TryEnqueueData(PendingWrite write, out bool startWriter)
    {
        lock (gate)
        {
            startWriter = false;
            if (completed)
            {
                return false;
            }

            if (IsSmall(write))
            {
                small.Enqueue(write);
            }
            else
            {
                data.Enqueue(write);
                CollectionsMarshal.GetValueRefOrAddDefault(inBulkLane, write.Stream, out _)++;
            }

            startWriter = TakeWriterRole();
            return true;
        }
    }

    /// <summary>Takes the next item if there is one (control first); never changes who the writer is. For the writer only.</summary>
    public bool TryDequeue(out OutboundItem item, out PendingWrite? write)
    {
        lock (gate)
        {
            return TryDequeueLocked(out item, out write);
        }
    }

    /// <summary>
    /// Takes the next item (control first), or, when there is none, gives up the writer role
    /// (<see cref="Take.Idle"/>) or reports the end (<see cref="Take.Finished"/>). For the writer only.
    /// </summary>
    public Take TakeNext(out OutboundItem item, out PendingWrite? write)
    {
        lock (gate)
        {
            if (TryDequeueLocked(out item, out write))
            {
                return Take.Item;
            }

            if (completed)
            {
                return Take.Finished;
            }

            writing = false;
            return Take.Idle;
        }
    }

    /// <summary>Accepts nothing more; the writer drains what is queued and stops.</summary>
    /// <returns>Whether no writer was running: the caller must start one (to finish).</returns>
    public bool Complete()
    {
        lock (gate)
        {
            completed = true;
            return TakeWriterRole();
        }
    }

    /// <summary>
    /// Accepts nothing more and hands back everything queued, for the caller to fail and release;
    /// optionally keeps one last control item (a GoAway) for the writer to send.
    /// </summary>
    /// <param name="last">The item to keep, or null.</param>
    /// <param name="startWriter">Set when no writer was running: the caller must start one (to send <paramref name="last"/> and finish).</param>
    public (OutboundItem[] Control, PendingWrite[] Data) Drain(OutboundItem? last, out bool startWriter)
    {
        lock (gate)
        {
            OutboundItem[] droppedControl = [.. control];
            PendingWrite[] droppedData = [.. small, .. data];
            control.Clear();
            small.Clear();
            data.Clear();
            inBulkLane.Clear();
            if (last is { } item && !completed)
            {
                control.Enqueue(item);
            }

            completed = true;
            startWriter = TakeWriterRole();
            return (droppedControl, droppedData);
        }
    }

    private bool TryDequeueLocked(out OutboundItem item, out PendingWrite? write)
    {
        write = null;
        if (control.TryDequeue(out item))
        {
            return true;
        }

        if (data.Count == 0)
        {
            smallInARow = 0;
            return small.TryDequeue(out write);
        }

        if (smallInARow < SmallBurstLimit && small.TryDequeue(out write))
        {
            smallInARow += write.Frame.Length;
            return true;
        }

        smallInARow = 0;
        write = data.Dequeue();
        ref int count = ref CollectionsMarshal.GetValueRefOrNullRef(inBulkLane, write.Stream);
        if (--count == 0)
        {
            inBulkLane.Remove(write.Stream);
        }

        return true;
    }

    /// <summary>
    /// Whether a stream frame takes the small lane: data that cannot grow and is at most
    /// <see cref="SmallFrameLimit"/> bytes, or a FIN whose stream has nothing in the bulk lane.
    /// </summary>
    private bool IsSmall(PendingWrite write) =>
        write.Credit == 0
            ? !inBulkLane.ContainsKey(write.Stream)
            : write.Capacity <= write.Frame.Length && write.Frame.Length - YamuxHeader.Size <= SmallFrameLimit;

    private bool TakeWriterRole()
    {
        if (writing)
        {
            return false;
        }

        writing = true;
        return true;
    }
}

/// <summary>
/// What the frame block (<see cref="YamuxWriter"/>) takes: a control item — a ready frame (RST,
/// ping, pong, GoAway), or a stream whose pending window update (with SYN/ACK flags) is built when
/// the writer reaches it, so updates coalesce — or a stream's data or FIN frame (<see cref="Write"/>).
/// </summary>
internal readonly record struct OutboundItem(PooledBuffer Frame, YamuxStream? WindowUpdateFor, bool Provoked = false, PendingWrite? Write = null)
{
    public static OutboundItem ForWrite(PendingWrite write) => new(default, null, false, write);

    public static OutboundItem ForFrame(in YamuxHeader header, bool provoked = false)
    {
        var frame = PooledBuffer.Rent(YamuxHeader.Size);
        header.WriteTo(frame.Span);
        return new OutboundItem(frame, null, provoked);
    }

    public static OutboundItem ForWindowUpdate(YamuxStream stream) => new(default, stream);
}
