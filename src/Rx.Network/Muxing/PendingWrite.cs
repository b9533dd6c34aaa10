using Rx.Network.Encoding;

namespace Rx.Network.Muxing;

/// <summary>
/// A stream frame (data or FIN) waiting for the session's writer, with the task its writer
/// awaits: it completes once the frame is handed to the connection, or fails.
/// </summary>
/// <remarks>
/// A writer that stops waiting (cancellation) races the session's writer for the frame: whichever
/// calls <see cref="TryCancel"/> or <see cref="TryClaim"/> first wins. A cancelled frame is never
/// sent; a claimed one will be, so the writer knows whether its bytes left.
/// </remarks>
internal sealed class PendingWrite
{
    private const int Queued = 0;
    private const int Claimed = 1;
    private const int Cancelled = 2;

    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int state;

    public PendingWrite(YamuxStream stream, PooledBuffer frame, int credit)
    {
        Stream = stream;
        Frame = frame;
        Credit = credit;
    }

    /// <summary>The stream whose frame this is.</summary>
    public YamuxStream Stream { get; }

    /// <summary>The whole frame, header and payload; owned by the queue until sent.</summary>
    public PooledBuffer Frame { get; }

    /// <summary>Send-window credit the payload consumed, returned to the stream if the frame is cancelled.</summary>
    public int Credit { get; }

    /// <summary>Completes when the frame was handed to the connection.</summary>
    public Task Completion => completion.Task;

    /// <summary>The session's writer takes the frame; <see langword="false"/> when the writer cancelled first.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref state, Claimed, Queued) == Queued;

    /// <summary>The stream's writer withdraws the frame; <see langword="false"/> when it is already being sent.</summary>
    public bool TryCancel() => Interlocked.CompareExchange(ref state, Cancelled, Queued) == Queued;

    public void Succeed() => completion.TrySetResult();

    public void Fail(Exception exception) => completion.TrySetException(exception);
}
