namespace Rx.Network;

/// <summary>
/// Bytes received from the network do not follow the wire protocol: a malformed frame, message,
/// key, address or varint. The offending stream is reset or the offending connection closed.
/// </summary>
/// <remarks>
/// Derives from <see cref="FormatException"/> so that every parser in the library fails with a
/// <see cref="FormatException"/> (or a subclass) on malformed input, whatever the layer.
/// </remarks>
public class ProtocolViolationException : FormatException
{
    /// <summary>Creates the exception with a default message.</summary>
    public ProtocolViolationException() : base("The remote peer violated the protocol.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong with the received bytes.</param>
    public ProtocolViolationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that revealed the violation.</summary>
    /// <param name="message">What was wrong with the received bytes.</param>
    /// <param name="innerException">The underlying failure.</param>
    public ProtocolViolationException(string message, Exception innerException) : base(message, innerException) { }
}
