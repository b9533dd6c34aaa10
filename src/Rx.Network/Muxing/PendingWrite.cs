using System.Threading.Tasks.Sources;
using Rx.Network.Encoding;

namespace Rx.Network.Muxing;

/// <summary>
/// A stream frame (data or FIN) waiting for the session's writer, with the completion its writer
/// awaits: it completes once the frame is handed to the connection, or fails.
/// </summary>
/// <remarks>
/// <para>A writer that stops waiting (cancellation) races the session's writer for the frame:
/// whichever calls <see cref="TryCancel"/> or <see cref="TryClaim"/> first wins. A cancelled frame
/// is never sent; a claimed one will be, so the writer knows whether its bytes left.</para>
/// <para>The completion is a resettable <see cref="IValueTaskSource"/> rather than a
/// <see cref="TaskCompletionSource"/>, so that a stream can reuse one instance for frame after
/// frame (<see cref="Reuse"/>): a bulk write then allocates nothing per frame for its hand-off
/// (docs/benchmarks.md). An instance is reused only after its completion was awaited to the end;
/// one whose writer gave up (cancelled) is abandoned, since the queue may still hold it.</para>
/// </remarks>
internal sealed class PendingWrite : IValueTaskSource
{
    private const int Queued = 0;
    private const int Claimed = 1;
    private const int Cancelled = 2;

    private ManualResetValueTaskSourceCore<bool> completion = new() { RunContinuationsAsynchronously = true };
    private int state;

    public PendingWrite(YamuxStream stream, PooledBuffer frame, int credit)
    {
        Stream = stream;
        Frame = frame;
        Credit = credit;
    }

    /// <summary>The stream whose frame this is.</summary>
    public YamuxStream Stream { get; private set; }

    /// <summary>The whole frame, header and payload; owned by the queue until sent.</summary>
    public PooledBuffer Frame { get; private set; }

    /// <summary>Send-window credit the payload consumed, returned to the stream if the frame is cancelled.</summary>
    public int Credit { get; private set; }

    /// <summary>
    /// Completes when the frame was handed to the connection. Await it once; a cancellable wait
    /// goes through <see cref="AsTask"/>.
    /// </summary>
    public ValueTask Completion => new(this, completion.Version);

    /// <summary>
    /// Prepares a finished instance for the next frame of the same writer. Only valid once the
    /// previous <see cref="Completion"/> was awaited (so neither the queue nor the session's writer
    /// still refers to it).
    /// </summary>
    public PendingWrite Reuse(PooledBuffer frame, int credit)
    {
        completion.Reset();
        state = Queued;
        Frame = frame;
        Credit = credit;
        return this;
    }

    /// <summary>The completion as a task, for a wait that may be cancelled.</summary>
    public Task AsTask() => Completion.AsTask();

    /// <summary>The session's writer takes the frame; <see langword="false"/> when the writer cancelled first.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref state, Claimed, Queued) == Queued;

    /// <summary>The stream's writer withdraws the frame; <see langword="false"/> when it is already being sent.</summary>
    public bool TryCancel() => Interlocked.CompareExchange(ref state, Cancelled, Queued) == Queued;

    /// <summary>The frame was handed to the connection. Called at most once per frame, by whoever settled it.</summary>
    public void Succeed() => completion.SetResult(true);

    /// <summary>The frame will never leave. Called at most once per frame, by whoever settled it.</summary>
    public void Fail(Exception exception) => completion.SetException(exception);

    void IValueTaskSource.GetResult(short token) => completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        completion.OnCompleted(continuation, state, token, flags);
}
