namespace Rx.Network;

/// <summary>
/// A connection was refused or dropped because a configured limit (inbound, outbound, per peer,
/// or pending handshakes) was reached. See <see cref="Swarm.ConnectionLimits"/>.
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

    /// <summary>The limit's name, when known.</summary>
    public string? Limit { get; }

    /// <summary>The limit's configured value.</summary>
    public int Value { get; }
}
