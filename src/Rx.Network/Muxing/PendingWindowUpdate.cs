namespace Rx.Network.Muxing;

/// <summary>
/// What a stream has still to tell the peer in its next window update: flags (SYN or ACK) and
/// window granted since the last update, coalesced so that a stream has at most one update queued
/// to the session's writer, built only when the writer reaches it.
/// </summary>
/// <remarks>
/// Not thread-safe: the stream calls it under its own lock, as it does its <see cref="ReceiveWindow"/>.
/// A mutable struct held in a (non-readonly) field of the stream, so it costs the stream no
/// allocation of its own.
/// </remarks>
internal struct PendingWindowUpdate
{
    private YamuxFlags flags;
    private long delta;
    private bool queued;

    /// <summary>Adds <paramref name="more"/> flags; <see langword="true"/> when the stream must queue an update (none is queued).</summary>
    public bool AddFlags(YamuxFlags more)
    {
        flags |= more;
        return MarkQueued();
    }

    /// <summary>Adds granted window; <see langword="true"/> when the stream must queue an update (none is queued).</summary>
    public bool AddDelta(long granted)
    {
        delta += granted;
        return MarkQueued();
    }

    /// <summary>The writer reached the queued update: takes what it carries (the next addition queues a new one).</summary>
    /// <returns>Whether there is anything to send.</returns>
    public bool Take(out YamuxFlags takenFlags, out long takenDelta)
    {
        queued = false;
        takenFlags = flags;
        takenDelta = delta;
        flags = YamuxFlags.None;
        delta = 0;
        return takenFlags != YamuxFlags.None || takenDelta != 0;
    }

    private bool MarkQueued()
    {
        if (queued)
        {
            return false;
        }

        queued = true;
        return true;
    }
}
