namespace Rx.Network.Resources;

/// <summary>What a scope holds now (a snapshot).</summary>
/// <param name="Memory">Bytes reserved.</param>
/// <param name="InboundStreams">Streams the remote peers opened.</param>
/// <param name="OutboundStreams">Streams we opened.</param>
/// <param name="InboundConnections">Established inbound connections.</param>
/// <param name="OutboundConnections">Established outbound connections.</param>
/// <param name="PendingConnections">Inbound connections still upgrading.</param>
public readonly record struct ScopeUsage(
    long Memory,
    int InboundStreams,
    int OutboundStreams,
    int InboundConnections,
    int OutboundConnections,
    int PendingConnections)
{
    /// <summary>Whether the scope holds nothing.</summary>
    public bool IsZero => this == default;

    /// <summary>The amount of one resource.</summary>
    /// <param name="resource">The resource.</param>
    /// <returns>Its amount.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="resource"/> is not a defined value.</exception>
    public long this[Resource resource] => resource switch
    {
        Resource.Memory => Memory,
        Resource.InboundStreams => InboundStreams,
        Resource.OutboundStreams => OutboundStreams,
        Resource.InboundConnections => InboundConnections,
        Resource.OutboundConnections => OutboundConnections,
        Resource.PendingConnections => PendingConnections,
        _ => throw new ArgumentOutOfRangeException(nameof(resource)),
    };
}
