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

    internal static StreamResetException StreamReset(bool remote, uint code) => new(remote, code);

    internal static MuxerClosedException MuxerClosed(string message, bool remote, uint? goAwayCode, Exception? inner = null) =>
        new(message, remote, goAwayCode, inner);

    internal static StreamLimitExceededException StreamLimit(int limit) => new(limit);
}
