using Rx.Network.Identity;

namespace Rx.Network.Errors;

/// <summary>
/// Builds the library's exceptions in one place, so messages stay consistent and call sites stay
/// short (the habit of NSec's internal <c>Error</c> class).
/// </summary>
internal static class Error
{
    internal static FormatException Format(string message) => new(message);

    internal static FormatException Format(string message, Exception inner) => new(message, inner);

    internal static ProtocolViolationException Protocol(string message) => new(message);

    internal static ProtocolViolationException Protocol(string message, Exception inner) => new(message, inner);

    internal static MessageTooLargeException TooLarge(long declared, long limit) => new(declared, limit);

    internal static ProtocolViolationException Truncated(string what) =>
        new($"The {what} ended before it was complete.");

    internal static HandshakeException Handshake(string message) => new(message);

    internal static HandshakeException Handshake(string message, Exception inner) => new(message, inner);

    internal static PeerIdMismatchException PeerIdMismatch(PeerId expected, PeerId actual) => new(expected, actual);

    internal static InvalidOperationException NonceExhausted() =>
        new("The Noise nonce is exhausted (2^64-1 messages); the connection must be closed.");
}
