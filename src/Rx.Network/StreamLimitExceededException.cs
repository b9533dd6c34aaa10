namespace Rx.Network;

/// <summary>
/// A new stream was refused because the connection already carries as many streams in that
/// direction as the configured limit allows. Close or reset some streams, or use another
/// connection.
/// </summary>
public class StreamLimitExceededException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public StreamLimitExceededException() : base("Too many concurrent streams on this connection.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The description.</param>
    public StreamLimitExceededException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure.</param>
    public StreamLimitExceededException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a limit that was reached.</summary>
    /// <param name="limit">The most concurrent streams allowed.</param>
    public StreamLimitExceededException(int limit)
        : base($"The connection already has the maximum of {limit} concurrent outbound streams.")
    {
        Limit = limit;
    }

    /// <summary>The limit that was reached, or 0 when unknown.</summary>
    public int Limit { get; }
}
