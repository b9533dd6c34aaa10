namespace Rx.Network.Examples.Gossip;

/// <summary>What to simulate.</summary>
public sealed record GossipOptions
{
    /// <summary>How many peers (default 1,000).</summary>
    public int Peers { get; init; } = 1000;

    /// <summary>How many random others each peer links to and dials (default 8); links are undirected, so the average degree is about twice this.</summary>
    public int Degree { get; init; } = 8;

    /// <summary>Seed of the topology, link latencies and peer keys (default 1): the same seed gives the same run.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The shortest link latency (default 10 ms).</summary>
    public TimeSpan MinLatency { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest link latency (default 100 ms); each link draws one in between.</summary>
    public TimeSpan MaxLatency { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Each link's bandwidth in bytes per second (default 1 MB/s).</summary>
    public long Bandwidth { get; init; } = 1_000_000;

    /// <summary>The flooded message's size in bytes (default 1 KiB).</summary>
    public int MessageSize { get; init; } = 1024;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Peers, 2, nameof(Peers));
        ArgumentOutOfRangeException.ThrowIfLessThan(Degree, 1, nameof(Degree));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Degree, Peers - 1, nameof(Degree));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinLatency, TimeSpan.Zero, nameof(MinLatency));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLatency, MinLatency, nameof(MaxLatency));
        ArgumentOutOfRangeException.ThrowIfLessThan(Bandwidth, 1, nameof(Bandwidth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MessageSize, 1, nameof(MessageSize));
    }
}
