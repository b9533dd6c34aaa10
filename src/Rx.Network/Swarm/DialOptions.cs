namespace Rx.Network.Swarm;

/// <summary>How the network dials a peer.</summary>
public sealed record DialOptions
{
    /// <summary>The defaults.</summary>
    public static DialOptions Default { get; } = new();

    /// <summary>Time for one address: transport connect plus upgrade. Default 10 s.</summary>
    public TimeSpan AddressTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Addresses of one peer tried at once. Default 4.</summary>
    public int Parallelism { get; init; } = 4;

    /// <summary>Backoff after the first failed dial of a peer; it doubles with each further failure. Default 1 s.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff. Default 5 minutes.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMinutes(5);
}
