using Rx.Network.Resources;

namespace Rx.Network.Muxing;

/// <summary>The muxer contract (<see cref="IMuxedStream"/>) and the stream's completion signal.</summary>
internal sealed partial class YamuxStream : IMuxedStream
{
    private readonly TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc/>
    uint IMuxedStream.StreamId => Id;

    /// <inheritdoc/>
    public Task Completion => completed.Task;

    /// <inheritdoc/>
    public StreamScope? Resources => resources;

    /// <summary>
    /// Called once the session forgot the stream, or the session ended under it: completes
    /// <see cref="Completion"/> — faulted if either direction ended by reset or failure.
    /// </summary>
    internal void SignalCompleted()
    {
        Exception? error;
        lock (gate)
        {
            error = readState == HalfState.Reset && readError is not ObjectDisposedException ? readError
                : writeState == HalfState.Reset ? writeError
                : null;
            if (resources is not null && !resourcesCompleted)
            {
                // The count and the window go back now; bytes still unread stay reserved until
                // read or dropped (no more arrive: the session forgot the stream).
                resourcesCompleted = true;
                resources.Complete(received.Length);
            }
        }

        if (error is null)
        {
            completed.TrySetResult();
        }
        else
        {
            completed.TrySetException(error);
        }
    }
}
