namespace Rx.Network.Peerstore;

/// <summary>Bounds of a <see cref="MemoryPeerstore"/>. Every collection in it is bounded.</summary>
public sealed record PeerstoreOptions
{
    /// <summary>The defaults.</summary>
    public static PeerstoreOptions Default { get; } = new();

    /// <summary>Peers kept at most; past it, the least recently updated peer is forgotten. Default 10,000.</summary>
    public int MaxPeers { get; init; } = 10_000;

    /// <summary>Addresses kept per peer; past it, the one expiring soonest is dropped. Default 64.</summary>
    public int MaxAddressesPerPeer { get; init; } = 64;

    /// <summary>Protocols kept per peer; extra entries are ignored. Default 256.</summary>
    public int MaxProtocolsPerPeer { get; init; } = 256;

    /// <summary>Longest protocol id or version string kept, in characters; longer ones are ignored. Default 1,024.</summary>
    public int MaxStringLength { get; init; } = 1024;

    /// <summary>Weight of a new sample in the latency average (go-libp2p uses 0.1). Default 0.1.</summary>
    public double LatencySmoothing { get; init; } = 0.1;

    /// <summary>How often expired addresses are swept out of <see cref="IPeerstore.Peers"/>. Default 1 minute.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(1);
}
