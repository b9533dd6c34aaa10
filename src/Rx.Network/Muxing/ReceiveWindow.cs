using Rx.Network.Resources;

namespace Rx.Network.Muxing;

/// <summary>
/// The receive side of a yamux stream's flow control: how much the peer may still send, when to
/// grant more, and how large the window grows (auto-tuning).
/// </summary>
/// <remarks>
/// <para>The peer may send <see cref="Credit"/> more bytes; bytes received and not yet read are
/// <see cref="Buffered"/>; together they never exceed <see cref="Window"/>, which is therefore the
/// bound on the stream's receive buffer. A data frame longer than <see cref="Credit"/> is a
/// protocol violation (spec "Flow Control": libp2p/specs yamux/README.md#flow-control).</para>
/// <para>As the application reads, the freed space is granted back in one window update once it
/// reaches half the window (fewer, larger updates, as go-yamux does). Auto-tuning, also after
/// go-yamux: when such an update is due less than four round trips after the previous one, the
/// reader keeps up with a window that is too small for the path's bandwidth-delay product, so the
/// window doubles, up to the configured maximum. Without a measured round trip the window stays
/// put.</para>
/// <para>Not thread-safe: the stream guards it with its lock.</para>
/// </remarks>
internal sealed class ReceiveWindow
{
    private readonly TimeProvider time;
    private readonly StreamScope? resources;
    private long epoch;

    /// <summary>Creates the window of a new stream.</summary>
    /// <param name="initialWindow">The window we want; the peer assumes <see cref="YamuxHeader.InitialWindow"/> until told more.</param>
    /// <param name="maxWindow">The most auto-tuning may grow the window to.</param>
    /// <param name="time">The clock for auto-tuning.</param>
    /// <param name="resources">Where each growth is reserved first (the initial window already is); a refusal leaves the window as it is. Null grows freely.</param>
    /// <exception cref="ArgumentOutOfRangeException">A window is below the spec's initial window, or the maximum is below the initial.</exception>
    public ReceiveWindow(long initialWindow, long maxWindow, TimeProvider time, StreamScope? resources = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialWindow, YamuxHeader.InitialWindow);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWindow, initialWindow);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxWindow, Muxing.Credit.MaxCredit);
        ArgumentNullException.ThrowIfNull(time);
        this.time = time;
        this.resources = resources;
        Window = initialWindow;
        MaxWindow = maxWindow;
        Credit = YamuxHeader.InitialWindow;
        epoch = time.GetTimestamp();
    }

    /// <summary>The current window: the most bytes the peer may have in flight plus unread.</summary>
    public long Window { get; private set; }

    /// <summary>The most <see cref="Window"/> may grow to.</summary>
    public long MaxWindow { get; }

    /// <summary>Bytes the peer may still send before it needs a window update.</summary>
    public long Credit { get; private set; }

    /// <summary>Bytes received and not yet consumed by the reader.</summary>
    public long Buffered { get; private set; }

    /// <summary>Accounts for a data frame of <paramref name="length"/> bytes.</summary>
    /// <returns><see langword="false"/> when the frame exceeds the credit: the peer broke flow control.</returns>
    public bool TryReceive(uint length)
    {
        if (length > Credit)
        {
            return false;
        }

        Credit -= length;
        Buffered += length;
        return true;
    }

    /// <summary>Accounts for <paramref name="count"/> bytes the reader took (or that were discarded).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or above <see cref="Buffered"/>.</exception>
    public void Consume(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Buffered);
        Buffered -= count;
    }

    /// <summary>
    /// Decides the next window update: the credit to grant now (already added to
    /// <see cref="Credit"/>), or 0 when none is due.
    /// </summary>
    /// <param name="rtt">The session's lowest measured round trip (the path without its queues), <see cref="TimeSpan.Zero"/> when unknown.</param>
    /// <param name="force">Grant whatever is free even if below half a window (the update carries a SYN or ACK anyway); never auto-tunes.</param>
    public uint TakeUpdate(TimeSpan rtt, bool force)
    {
        var delta = Window - Credit - Buffered;
        if (!force && delta < Window / 2)
        {
            return 0;
        }

        var now = time.GetTimestamp();
        if (!force && rtt > TimeSpan.Zero && Window < MaxWindow && time.GetElapsedTime(epoch, now) < rtt * 4)
        {
            // Memory first: the growth is reserved (once per doubling, not per frame); refused,
            // the window keeps its size and the stream keeps working at that size.
            var grown = Math.Min(Window * 2, MaxWindow);
            if (resources is null || resources.TryReserveMemory(grown - Window))
            {
                Window = grown;
                delta = Window - Credit - Buffered;
            }
        }

        epoch = now;
        if (delta <= 0)
        {
            return 0;
        }

        Credit += delta;
        return (uint)delta;
    }
}
