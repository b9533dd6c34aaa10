namespace Rx.Network;

/// <summary>
/// Bytes received from the network do not follow the wire protocol: a malformed frame, message,
/// key, address or varint. The offending stream is reset or the offending connection closed.
/// </summary>
/// <remarks>
/// Derives from <see cref="FormatException"/> so that every parser in the library fails with a
/// <see cref="FormatException"/> (or a subclass) on malformed input, whatever the layer. Named so
/// that it cannot clash with <see cref="System.Net.ProtocolViolationException"/> in files that
/// import both <c>System.Net</c> and <c>Rx.Network</c> (its name was <c>ProtocolViolationException</c>
/// until December 2026).
/// </remarks>
public class WireProtocolViolationException : FormatException
{
    /// <summary>Creates the exception with a default message.</summary>
    public WireProtocolViolationException() : base("The remote peer violated the protocol.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was wrong with the received bytes.</param>
    public WireProtocolViolationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that revealed the violation.</summary>
    /// <param name="message">What was wrong with the received bytes.</param>
    /// <param name="innerException">The underlying failure.</param>
    public WireProtocolViolationException(string message, Exception innerException) : base(message, innerException) { }
}
