namespace Rx.Network.Resources;

/// <summary>
/// A reservation was refused because a resource scope is at its limit: a stream or connection we
/// tried to open, or one the remote opened (then reported in a <c>ResourceLimitReached</c> event).
/// Names the scope, the resource, how much was asked and the limit.
/// </summary>
/// <remarks>
/// A stream the remote opened and that is refused is reset with <see cref="StreamResetCode"/>
/// (0x1002, go-libp2p's <c>StreamResourceLimitExceeded</c>). Limits on the number of streams of one
/// yamux connection keep throwing <see cref="StreamLimitExceededException"/>, and the node-wide
/// connection counts of <c>ConnectionLimits</c> <see cref="ConnectionLimitExceededException"/>.
/// </remarks>
public sealed class ResourceLimitExceededException : IOException
{
    /// <summary>
    /// The yamux reset code (carried in the RST window update's length, as go-yamux does) of a stream
    /// the remote opened and a limit refused: 0x1002, go-libp2p's <c>StreamResourceLimitExceeded</c>,
    /// so go and js peers see "resource limit exceeded", which they may retry after a backoff.
    /// </summary>
    public const uint StreamResetCode = 0x1002;

    /// <summary>Creates the exception with a default message.</summary>
    public ResourceLimitExceededException() : base("A resource limit was reached.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The description.</param>
    public ResourceLimitExceededException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure.</param>
    public ResourceLimitExceededException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a refused reservation.</summary>
    /// <param name="scope">The scope's name, e.g. <c>address:203.0.113.7/32</c>.</param>
    /// <param name="kind">The scope's kind.</param>
    /// <param name="resource">The resource.</param>
    /// <param name="requested">How much was asked.</param>
    /// <param name="used">How much the scope held already.</param>
    /// <param name="limit">The scope's limit.</param>
    public ResourceLimitExceededException(string scope, ScopeKind kind, Resource resource, long requested, long used, long limit)
        : base($"The {kind} scope '{scope}' cannot reserve {requested} more of {resource}: {used} of its limit {limit} are in use.")
    {
        Scope = scope;
        Kind = kind;
        Resource = resource;
        Requested = requested;
        Used = used;
        Limit = limit;
    }

    /// <summary>The name of the scope that refused, e.g. <c>system</c>, <c>peer:12D3Koo…</c>; null when unknown.</summary>
    public string? Scope { get; }

    /// <summary>The kind of the scope that refused.</summary>
    public ScopeKind Kind { get; }

    /// <summary>The resource refused.</summary>
    public Resource Resource { get; }

    /// <summary>How much was asked.</summary>
    public long Requested { get; }

    /// <summary>How much the scope held when it refused.</summary>
    public long Used { get; }

    /// <summary>The scope's limit for <see cref="Resource"/>.</summary>
    public long Limit { get; }
}
