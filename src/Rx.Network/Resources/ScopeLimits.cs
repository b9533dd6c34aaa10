namespace Rx.Network.Resources;

/// <summary>
/// The limits of one resource scope. A new instance limits nothing (every value is its type's
/// maximum); set what should be bounded with an object initializer or <c>with</c>.
/// </summary>
/// <remarks>
/// A reservation must fit every scope it passes through (a stream's: the stream, its protocol,
/// protocol-per-peer, connection, peer, address and the system), so a scope left unlimited is still
/// bounded by the scopes above it. Values are checked when set: none may be negative.
/// </remarks>
public sealed record ScopeLimits
{
    /// <summary>Limits nothing.</summary>
    public static ScopeLimits Unlimited { get; } = new();

    /// <summary>Bytes of memory that may be reserved. Default: unlimited.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public long Memory
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = long.MaxValue;

    /// <summary>Streams opened by remote peers. Default: unlimited.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int InboundStreams
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = int.MaxValue;

    /// <summary>Streams opened by us. Default: unlimited.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int OutboundStreams
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = int.MaxValue;

    /// <summary>Established inbound connections. Default: unlimited.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int InboundConnections
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = int.MaxValue;

    /// <summary>Established outbound connections. Default: unlimited.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int OutboundConnections
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = int.MaxValue;

    /// <summary>Inbound connections still upgrading. Default: unlimited.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int PendingConnections
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = int.MaxValue;

    /// <summary>The limit of one resource.</summary>
    /// <param name="resource">The resource.</param>
    /// <returns>Its limit.</returns>
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
