namespace Rx.Network;

/// <summary>
/// A length-prefixed message (or frame) declared a length above the limit in force. Thrown before
/// any buffer for the message is allocated.
/// </summary>
public sealed class MessageTooLargeException : WireProtocolViolationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public MessageTooLargeException() : base("The message is larger than the limit.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The description.</param>
    public MessageTooLargeException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure.</param>
    public MessageTooLargeException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a declared length and the limit it exceeded.</summary>
    /// <param name="declaredLength">The length the sender declared.</param>
    /// <param name="limit">The largest length accepted.</param>
    public MessageTooLargeException(long declaredLength, long limit)
        : base($"The message declares {declaredLength} bytes, above the limit of {limit} bytes.")
    {
        DeclaredLength = declaredLength;
        Limit = limit;
    }

    /// <summary>The length the sender declared, or 0 when unknown.</summary>
    public long DeclaredLength { get; }

    /// <summary>The limit that was exceeded, or 0 when unknown.</summary>
    public long Limit { get; }
}
