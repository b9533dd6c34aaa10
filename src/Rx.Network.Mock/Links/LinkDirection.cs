using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace Rx.Network.Mock.Links;

/// <summary>
/// One direction of a link: when each transmission arrives. Keeps the direction's "busy until"
/// clock (serialization at the link's bandwidth), adds latency and seeded jitter, keeps arrivals in
/// order, and holds transmissions back while the link is down.
/// </summary>
/// <remarks>
/// <para>Why transmissions are grouped by the instant they are sent: the layers above decide how to
/// cut their output into flushes, and that depends on how their threads happen to interleave (a
/// window update flushed alone or together with data). If each flush were a separate packet with
/// its own jitter, two runs of the same seed would drift apart. So everything sent in one tick of
/// the scheduler's clock forms one burst: serialized as a whole, with one jitter draw, and cut
/// into segments at fixed offsets of the direction's byte count (<see cref="SegmentSize"/>), so a
/// large burst still arrives progressively. Arrival times then depend only on how many bytes were
/// sent at which tick.</para>
/// <para>Not thread-safe: the owning link calls it under its lock, which it also takes when a
/// segment arrives.</para>
/// </remarks>
internal sealed class LinkDirection
{
    /// <summary>
    /// Bursts are cut into segments at multiples of this many bytes of the direction's stream, so
    /// that a large write arrives progressively at the link's bandwidth rather than all at once at
    /// the end; coarser than packets, to keep the number of scheduled events small.
    /// </summary>
    internal const int SegmentSize = 16 * 1024;

    private readonly object gate;
    private readonly IScheduler scheduler;
    private readonly Random jitter;
    private readonly Queue<(int Size, Action Arrive)> held = new();
    private Burst? burst;
    private long offset;
    private long busyUntil;
    private long lastArrival;

    /// <param name="gate">The owning link's lock, held by every caller and taken when segments arrive.</param>
    /// <param name="scheduler">The clock and queue.</param>
    /// <param name="seed">Seeds this direction's jitter.</param>
    public LinkDirection(object gate, IScheduler scheduler, int seed)
    {
        this.gate = gate;
        this.scheduler = scheduler;
        jitter = new Random(seed);
    }

    /// <summary>Transmissions waiting for the link to come up.</summary>
    public int HeldCount => held.Count;

    /// <summary>Bytes that fit before the current segment ends: callers cut data there.</summary>
    public int RoomInSegment => SegmentSize - (int)(offset % SegmentSize);

    /// <summary>
    /// Sends <paramref name="size"/> bytes (zero for a control signal such as a connection request);
    /// <paramref name="arrive"/> runs when they reach the other end. Must not cross a segment
    /// boundary (see <see cref="RoomInSegment"/>).
    /// </summary>
    public void Transmit(LinkOptions options, int size, Action arrive)
    {
        if (options.Down)
        {
            held.Enqueue((size, arrive));
            return;
        }

        Send(options, size, arrive);
    }

    /// <summary>The link came up: what was held leaves now, in order.</summary>
    public void Release(LinkOptions options)
    {
        while (!options.Down && held.TryDequeue(out var item))
        {
            Send(options, item.Size, item.Arrive);
        }
    }

    /// <summary>The link is gone: what was held is dropped (what is in flight arrives to severed ends, which ignore it).</summary>
    public void Clear() => held.Clear();

    private void Send(LinkOptions options, int size, Action arrive)
    {
        long now = scheduler.Now.UtcTicks;
        if (burst is null || burst.Tick != now || burst.Last.Delivered)
        {
            long start = Math.Max(now, busyUntil);
            long extra = options.Jitter > TimeSpan.Zero ? (long)(jitter.NextDouble() * options.Jitter.Ticks) : 0;
            burst = new Burst(now, start, offset, options.Latency.Ticks + extra, lastArrival);
        }

        // A segment is full once it reaches a boundary; what follows starts the next one.
        var segment = burst.Last;
        if (segment.Delivered || (segment.EndOffset != burst.StartOffset && segment.EndOffset % SegmentSize == 0))
        {
            segment = burst.AddSegment(offset);
        }

        offset += size;
        segment.EndOffset = offset;
        segment.Arrivals.Add(arrive);
        busyUntil = burst.Start + SerializationTicks(offset - burst.StartOffset, options.Bandwidth);

        // An ordered pipe: a burst with less jitter than its predecessor still arrives after it.
        long arrival = Math.Max(
            burst.Start + SerializationTicks(segment.EndOffset - burst.StartOffset, options.Bandwidth) + burst.Delay,
            segment.Floor);
        if (arrival != segment.Arrival || segment.Scheduled is null)
        {
            segment.Arrival = arrival;
            segment.Scheduled?.Dispose();
            segment.Scheduled = scheduler.Schedule(segment, TimeSpan.FromTicks(arrival - now), (_, s) =>
            {
                Arrive(s);
                return Disposable.Empty;
            });
        }

        lastArrival = Math.Max(lastArrival, arrival);
    }

    private void Arrive(Segment segment)
    {
        Action[] arrivals;
        lock (gate)
        {
            if (segment.Delivered)
            {
                return;
            }

            segment.Delivered = true;
            arrivals = [.. segment.Arrivals];
        }

        foreach (var arrive in arrivals)
        {
            arrive();
        }
    }

    private static long SerializationTicks(long size, long? bandwidth) =>
        bandwidth is not { } bytesPerSecond || size == 0
            ? 0
            : (long)Math.Ceiling((double)size * TimeSpan.TicksPerSecond / bytesPerSecond);

    /// <summary>Everything sent in one tick: serialized back to back from <see cref="Start"/>, delayed by one latency-plus-jitter.</summary>
    private sealed class Burst
    {
        private readonly List<Segment> segments = [];

        public Burst(long tick, long start, long startOffset, long delay, long floor)
        {
            Tick = tick;
            Start = start;
            StartOffset = startOffset;
            Delay = delay;
            segments.Add(new Segment(startOffset, floor));
        }

        public long Tick { get; }

        public long Start { get; }

        public long StartOffset { get; }

        public long Delay { get; }

        public Segment Last => segments[^1];

        public Segment AddSegment(long startOffset)
        {
            // Arrivals never overtake: a segment arrives no earlier than the one before it.
            var segment = new Segment(startOffset, segments[^1].Arrival);
            segments.Add(segment);
            return segment;
        }
    }

    private sealed class Segment(long startOffset, long floor)
    {
        public long EndOffset { get; set; } = startOffset;

        public long Floor { get; } = floor;

        public long Arrival { get; set; }

        public IDisposable? Scheduled { get; set; }

        public bool Delivered { get; set; }

        public List<Action> Arrivals { get; } = [];
    }
}
