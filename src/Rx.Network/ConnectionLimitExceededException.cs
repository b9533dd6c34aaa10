namespace Rx.Network;

/// <summary>
/// A connection was refused or dropped because a configured limit (inbound, outbound, per peer,
/// or pending handshakes, or a resource scope's connections) was reached. See <see cref="Swarm.ConnectionLimits"/>
/// and <see cref="Resources.ResourceLimits"/>.
/// </summary>
public sealed class ConnectionLimitExceededException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public ConnectionLimitExceededException() : base("A connection limit was reached.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Which limit.</param>
    public ConnectionLimitExceededException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">Which limit.</param>
    /// <param name="innerException">The underlying failure.</param>
    public ConnectionLimitExceededException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a named limit and its value.</summary>
    /// <param name="limit">The limit's name, e.g. <c>MaxOutbound</c>.</param>
    /// <param name="value">Its configured value.</param>
    public ConnectionLimitExceededException(string limit, int value)
        : base($"The connection limit {limit} ({value}) was reached.")
    {
        Limit = limit;
        Value = value;
    }

    /// <summary>Creates the exception for a named limit and its value, with the underlying refusal.</summary>
    /// <param name="limit">The limit's name, e.g. <c>Resources:address:203.0.113.7/32:PendingConnections</c>.</param>
    /// <param name="value">Its configured value.</param>
    /// <param name="innerException">The underlying refusal, e.g. a <see cref="Resources.ResourceLimitExceededException"/> naming the scope.</param>
    public ConnectionLimitExceededException(string limit, int value, Exception innerException)
        : base($"The connection limit {limit} ({value}) was reached.", innerException)
    {
        Limit = limit;
        Value = value;
    }

    /// <summary>The limit's name, when known.</summary>
    public string? Limit { get; }

    /// <summary>The limit's configured value.</summary>
    public int Value { get; }
}
