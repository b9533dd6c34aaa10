namespace Rx.Network;

/// <summary>
/// A security handshake failed: the remote sent malformed or unauthenticated handshake messages,
/// proved an identity with a bad signature, did not answer in time, or closed the connection
/// before the handshake completed. The connection is unusable and must be closed.
/// </summary>
/// <remarks>
/// <para>Derives from <see cref="IOException"/> because, to the caller, a failed handshake is a
/// failed connection attempt, like a reset socket; <see cref="Exception.InnerException"/> says what
/// went wrong: a <see cref="WireProtocolViolationException"/> for malformed bytes, a
/// <see cref="TimeoutException"/> for a handshake that took too long, or the transport's own
/// exception.</para>
/// <para>A handshake cancelled through the caller's own cancellation token throws
/// <see cref="OperationCanceledException"/> instead: the caller asked for it.</para>
/// </remarks>
public class HandshakeException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public HandshakeException() : base("The security handshake failed.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Why the handshake failed.</param>
    public HandshakeException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that ended the handshake.</summary>
    /// <param name="message">Why the handshake failed.</param>
    /// <param name="innerException">The underlying failure.</param>
    public HandshakeException(string message, Exception innerException) : base(message, innerException) { }
}
