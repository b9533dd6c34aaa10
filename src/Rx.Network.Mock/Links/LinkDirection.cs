namespace Rx.Network.Mock.Links;

/// <summary>
/// One direction of a mock link: a FIFO wire with a serialization delay (bandwidth), latency and
/// seeded jitter. Frames arrive in the order sent, each no earlier than the one before it.
/// </summary>
/// <remarks>
/// One pump per direction delivers every frame that is due and schedules itself for the next, so
/// a busy link costs one scheduler item at a time, not one per frame, and deliveries cannot race
/// each other on a real-time scheduler either.
/// </remarks>
internal sealed class LinkDirection
{
    private readonly MockLink link;
    // Locks on itself (internal, never handed out): two directions per link, and a simulation
    // holds hundreds of thousands of links, so a Lock each is memory and marking for nothing.
    // The frames in flight, first to last, linked through Frame.Next rather than held in a
    // queue: a queue and its array are about 100 bytes per direction, kept by every link that
    // ever carried a frame, and a simulation holds hundreds of thousands of directions.
    private Frame? head;
    private Frame? tail;
    private int inFlight;
    private long wireFreeAt;
    private long lastArrival;
    private bool pumpPending;

    public LinkDirection(MockLink link, ILinkEnd from, ILinkEnd to)
    {
        this.link = link;
        From = from;
        To = to;
    }

    public ILinkEnd From { get; }

    public ILinkEnd To { get; }

    /// <summary>Frames sent and not yet delivered or lost.</summary>
    public int InFlight
    {
        get
        {
            lock (this)
            {
                return inFlight;
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="frame"/>: judged by the link's rules, then queued to arrive after the
    /// wire is free, the bytes have crossed it, and the latency (plus jitter) has passed.
    /// </summary>
    public void Send(Frame frame)
    {
        var network = link.Network;
        if (link.CutReason is { } cut)
        {
            network.Work.Post(() => frame.Lose(cut));
            return;
        }

        long now = network.NowTicks;
        var verdict = frame.Kind is { } kind && link.HasRules
            ? link.Judge(new LinkFrame(From.LocalPeer, To.LocalPeer, kind, frame.Protocol, frame.Length, new DateTimeOffset(now, TimeSpan.Zero)))
            : LinkVerdict.Pass;
        if (verdict.IsDrop)
        {
            network.Work.Post(() => frame.Lose(new MockLinkException($"A rule on the link {link} dropped a {frame.Kind} frame from {From.LocalPeer}.")));
            return;
        }

        var options = link.Options;
        bool schedule;
        long due;
        lock (this)
        {
            long start = Math.Max(now, wireFreeAt);
            wireFreeAt = start + SerializationTicks(frame.Length, options.Bandwidth);
            due = wireFreeAt + options.Latency.Ticks + link.NextJitterTicks() + verdict.ExtraDelay.Ticks;
            due = Math.Max(due, lastArrival);
            lastArrival = due;
            frame.Due = due;
            Enqueue(frame);
            schedule = !pumpPending;
            pumpPending = true;
        }

        if (schedule)
        {
            network.ScheduleAt(due, Pump);
        }
    }

    /// <summary>Loses every frame in flight (the link went down).</summary>
    public void Cut(Exception reason)
    {
        Frame[] lost;
        lock (this)
        {
            lost = new Frame[inFlight];
            for (int i = 0; head is { } first; i++)
            {
                lost[i] = first;
                head = first.Next;
                first.Next = null;
            }

            tail = null;
            inFlight = 0;
            wireFreeAt = 0;
        }

        foreach (var frame in lost)
        {
            frame.Lose(reason);
        }
    }

    private void Enqueue(Frame frame)
    {
        if (tail is null)
        {
            head = frame;
        }
        else
        {
            tail.Next = frame;
        }

        tail = frame;
        inFlight++;
    }

    private Frame Dequeue()
    {
        var first = head!;
        head = first.Next;
        first.Next = null;
        if (head is null)
        {
            tail = null;
        }

        inFlight--;
        return first;
    }

    private static long SerializationTicks(int length, long? bandwidth) =>
        bandwidth is { } bytesPerSecond && length > 0
            ? (long)Math.Ceiling(length * (double)TimeSpan.TicksPerSecond / bytesPerSecond)
            : 0;

    private void Pump()
    {
        var network = link.Network;
        while (true)
        {
            Frame? next = null;
            long nextDue = 0;
            lock (this)
            {
                if (head is not { } first)
                {
                    pumpPending = false;
                    return;
                }

                if (network.IsDue(first.Due))
                {
                    next = Dequeue();
                }
                else
                {
                    nextDue = first.Due;
                }
            }

            if (next is null)
            {
                network.ScheduleAt(nextDue, Pump);
                return;
            }

            network.Guard(next);
        }
    }
}
