using System.Buffers.Binary;
using System.Diagnostics;
using System.Threading.Tasks.Sources;
using Rx.Network.Encoding;

namespace Rx.Network.Muxing;

/// <summary>
/// A stream frame (data or FIN) waiting for the session's writer, with the completion its stream
/// awaits: it completes once the frame is handed to the connection, or fails.
/// </summary>
/// <remarks>
/// <para>While the frame waits in the queue its stream may grow it (<see cref="TryAppend"/>):
/// a bulk writer whose frames cannot leave yet (the connection is busy) fills the frame it queued
/// last instead of cutting a new one, so that writes of any size become full frames, one Noise
/// message each, rather than a full frame and a sliver per write (docs/benchmarks.md). The
/// session's writer takes the frame with <see cref="Claim"/>; from then on it is never changed.
/// A queued frame is never withdrawn: a stream that gives up waiting resets itself instead if the
/// frame holds bytes of the write it abandons.</para>
/// <para>The completion is a resettable <see cref="IValueTaskSource"/> rather than a
/// <see cref="TaskCompletionSource"/>, so that a stream can reuse one instance for frame after
/// frame (<see cref="Reuse"/>): a bulk write then allocates nothing per frame for its hand-off.
/// An instance is reused only after its completion was awaited to the end without a cancellable
/// token; a cancellable wait turns the completion into a task once (<see cref="WaitAsync"/>) and
/// the instance is then abandoned to the GC.</para>
/// </remarks>
internal sealed class PendingWrite : IValueTaskSource
{
    private const int Queued = 0;
    private const int Claimed = 1;
    private const int Appending = 2;

    private ManualResetValueTaskSourceCore<bool> completion = new() { RunContinuationsAsynchronously = true };
    private int state;
    private Task? asTask;

    /// <summary>A frame that cannot grow (a FIN, or data in an array sized to fit).</summary>
    public PendingWrite(YamuxStream stream, PooledBuffer frame, int credit)
        : this(stream, frame, credit, frame.Length)
    {
    }

    /// <summary>A frame that may grow by <see cref="TryAppend"/> up to <paramref name="capacity"/> bytes in all.</summary>
    public PendingWrite(YamuxStream stream, PooledBuffer frame, int credit, int capacity)
    {
        Stream = stream;
        Frame = frame;
        Credit = credit;
        Capacity = capacity;
    }

    /// <summary>The stream whose frame this is.</summary>
    public YamuxStream Stream { get; }

    /// <summary>The whole frame, header and payload; owned by the queue until sent.</summary>
    public PooledBuffer Frame { get; private set; }

    /// <summary>Send-window credit the payload consumed: its length, 0 for a FIN.</summary>
    public int Credit { get; private set; }

    /// <summary>The most bytes (header included) the frame may grow to.</summary>
    public int Capacity { get; private set; }

    /// <summary>Payload bytes <see cref="TryAppend"/> may still add.</summary>
    public int Room => Capacity - Frame.Length;

    /// <summary>Whether the instance may serve another frame once this one was awaited (no task was made of it).</summary>
    public bool IsReusable => asTask is null;

    /// <summary>
    /// Prepares a finished instance for the next frame of the same stream. Only valid once the
    /// previous completion was awaited (so neither the queue nor the session's writer still refers
    /// to it) and <see cref="IsReusable"/>.
    /// </summary>
    public PendingWrite Reuse(PooledBuffer frame, int credit, int capacity)
    {
        completion.Reset();
        state = Queued;
        Frame = frame;
        Credit = credit;
        Capacity = capacity;
        return this;
    }

    /// <summary>
    /// Waits until the frame was handed to the connection. Await once per call; a wait that cannot
    /// be cancelled allocates nothing, a cancellable one makes (once) a task of the completion.
    /// </summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        if (asTask is null && !cancellationToken.CanBeCanceled)
        {
            return new ValueTask(this, completion.Version);
        }

        asTask ??= new ValueTask(this, completion.Version).AsTask();
        return new ValueTask(cancellationToken.CanBeCanceled ? asTask.WaitAsync(cancellationToken) : asTask);
    }

    /// <summary>
    /// Appends <paramref name="payload"/> to the frame if the session's writer has not taken it
    /// yet, updating the header's length. The caller (the frame's stream, under its write lock)
    /// checked that the bytes fit (<see cref="Room"/>) and holds their window credit.
    /// </summary>
    /// <returns><see langword="false"/> when the frame is already claimed: nothing was appended.</returns>
    public bool TryAppend(ReadOnlySpan<byte> payload)
    {
        if (Interlocked.CompareExchange(ref state, Appending, Queued) != Queued)
        {
            return false;
        }

        var frame = Frame;
        payload.CopyTo(frame.Array.AsSpan(frame.Length));
        Frame = frame.WithLength(frame.Length + payload.Length);
        Credit += payload.Length;
        BinaryPrimitives.WriteUInt32BigEndian(frame.Array.AsSpan(YamuxHeader.LengthOffset), (uint)(Frame.Length - YamuxHeader.Size));
        Volatile.Write(ref state, Queued);
        return true;
    }

    /// <summary>
    /// The session's writer takes the frame (to send it, or to drop it when the session ends);
    /// from then on <see cref="TryAppend"/> fails. Waits out an append in progress (a copy of at
    /// most one frame). Called once per frame.
    /// </summary>
    public void Claim()
    {
        var spin = default(SpinWait);
        int seen;
        while ((seen = Interlocked.CompareExchange(ref state, Claimed, Queued)) != Queued)
        {
            Debug.Assert(seen == Appending, "A frame is claimed once.");
            spin.SpinOnce();
        }
    }

    /// <summary>The frame was handed to the connection. Called at most once per frame, by whoever settled it.</summary>
    public void Succeed() => completion.SetResult(true);

    /// <summary>The frame will never leave. Called at most once per frame, by whoever settled it.</summary>
    public void Fail(Exception exception) => completion.SetException(exception);

    void IValueTaskSource.GetResult(short token) => completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        completion.OnCompleted(continuation, state, token, flags);
}
