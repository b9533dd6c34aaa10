using System.Net;
using System.Net.Sockets;

namespace Rx.Network.Swarm;

/// <summary>
/// A token bucket per source address for new inbound connections, on the injected clock: a
/// source may open <see cref="ConnectionLimits.InboundPerIpBurst"/> connections at once and then
/// <see cref="ConnectionLimits.InboundPerIpPerSecond"/> per second.
/// </summary>
/// <remarks>
/// IPv6 sources are grouped by their /64 prefix: one host commonly owns a whole /64, so a bucket per
/// full address would let it rotate addresses past the limit. The table of buckets is bounded
/// (<see cref="MaxTrackedSources"/>): buckets that have refilled carry no information and are
/// dropped first; if the table is still full (many sources busy at once), a new source is refused
/// rather than growing memory without bound.
/// </remarks>
internal sealed class InboundRateLimiter
{
    /// <summary>The most sources tracked at once.</summary>
    internal const int MaxTrackedSources = 16_384;

    private readonly object gate = new();
    private readonly Dictionary<UInt128, Bucket> buckets = [];
    private readonly TimeProvider time;
    private readonly double perSecond;
    private readonly double burst;

    /// <summary>Creates a limiter; <paramref name="perSecond"/> 0 turns it off.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative rate, or a burst below 1.</exception>
    public InboundRateLimiter(TimeProvider time, int perSecond, int burst)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        this.time = time;
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /// <summary>Whether the limiter is on.</summary>
    public bool Enabled => perSecond > 0;

    /// <summary>Sources tracked now (for tests).</summary>
    internal int TrackedSources
    {
        get
        {
            lock (gate)
            {
                return buckets.Count;
            }
        }
    }

    /// <summary>Takes a token for a connection from <paramref name="source"/>; <see langword="false"/> when it is over its rate.</summary>
    public bool TryAcquire(IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!Enabled)
        {
            return true;
        }

        var key = KeyOf(source);
        long now = time.GetTimestamp();
        lock (gate)
        {
            if (!buckets.TryGetValue(key, out var bucket))
            {
                if (buckets.Count >= MaxTrackedSources && !Prune(now))
                {
                    return false;
                }

                bucket = new Bucket(burst, now);
            }

            double tokens = Refilled(bucket, now);
            if (tokens < 1)
            {
                buckets[key] = bucket with { Tokens = tokens, Stamp = now };
                return false;
            }

            buckets[key] = new Bucket(tokens - 1, now);
            return true;
        }
    }

    private double Refilled(Bucket bucket, long now) =>
        Math.Min(burst, bucket.Tokens + (time.GetElapsedTime(bucket.Stamp, now).TotalSeconds * perSecond));

    /// <summary>Drops the buckets that are full again; returns whether room was made.</summary>
    private bool Prune(long now)
    {
        foreach (var (key, bucket) in buckets)
        {
            if (Refilled(bucket, now) >= burst)
            {
                buckets.Remove(key);
            }
        }

        return buckets.Count < MaxTrackedSources;
    }

    private static UInt128 KeyOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // The /64 prefix, tagged so it never equals an IPv4 key.
            return new UInt128(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes), 1);
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[..written]);
    }

    private readonly record struct Bucket(double Tokens, long Stamp);
}
