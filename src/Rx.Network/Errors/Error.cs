namespace Rx.Network.Errors;

/// <summary>
/// Builds the library's exceptions in one place, so messages stay consistent and call sites stay
/// short (the habit of NSec's internal <c>Error</c> class).
/// </summary>
/// <remarks>
/// The bottom layer (ADR 0001): it builds only exceptions that carry no value of the library, so
/// every layer may use it. The exceptions that carry a <c>PeerId</c> or a <c>Multiaddr</c> are built
/// by <see cref="AddressedError"/>, above the layers that define those values.
/// </remarks>
internal static class Error
{
    internal static FormatException Format(string message) => new(message);

    internal static FormatException Format(string message, Exception inner) => new(message, inner);

    internal static WireProtocolViolationException Protocol(string message) => new(message);

    internal static WireProtocolViolationException Protocol(string message, Exception inner) => new(message, inner);

    internal static MessageTooLargeException TooLarge(long declared, long limit) => new(declared, limit);

    internal static WireProtocolViolationException Truncated(string what) =>
        new($"The {what} ended before it was complete.");

    // Reactive: misuse of ObservableCache.

    internal static InvalidOperationException NestedEdit() =>
        new("The cache is already being edited on this thread: make all the changes through the updater of the current edit.");

    internal static InvalidOperationException SubscribeDuringEdit() =>
        new("Cannot subscribe to the cache from inside an edit: its changes are not published yet.");

    internal static InvalidOperationException UpdaterNotUsable() =>
        new("A cache updater is usable only on the editing thread and only while the edit action runs.");

    internal static ArgumentException NullKey(string paramName) =>
        new("The cache's key selector returned null for this value.", paramName);

    internal static HandshakeException Handshake(string message) => new(message);

    internal static HandshakeException Handshake(string message, Exception inner) => new(message, inner);

    internal static CertificateRejectedException Certificate(CertificateFailure failure, string message, Exception? inner = null) =>
        new(failure, message, inner);

    internal static InvalidOperationException NonceExhausted() =>
        new("The Noise nonce is exhausted (2^64-1 messages); the connection must be closed.");

    // Negotiation.

    internal static NegotiationException Negotiation(NegotiationFailure failure, IReadOnlyList<string> tried, Exception? inner = null)
    {
        string list = tried.Count == 0 ? "none" : string.Join(", ", tried);
        string message = failure switch
        {
            NegotiationFailure.NoCommonProtocol => $"The remote refused every protocol proposed ({list}).",
            NegotiationFailure.TooManyProposals => $"The remote made too many proposals that were refused ({list}).",
            NegotiationFailure.TimedOut => $"The protocol negotiation timed out (refused so far: {list}).",
            NegotiationFailure.Closed => $"The remote closed the channel before a protocol was agreed (refused so far: {list}).",
            _ => $"The protocol negotiation failed ({failure}).",
        };
        return new NegotiationException(failure, tried, message, inner);
    }

    internal static StreamResetException StreamReset(bool remote, uint code) => new(remote, code);

    internal static MuxerClosedException MuxerClosed(string message, bool remote, uint? goAwayCode, Exception? inner = null) =>
        new(message, remote, goAwayCode, inner);

    internal static StreamLimitExceededException StreamLimit(int limit) => new(limit);

    // Protocols.

    internal static TimeoutException Timeout(string what, TimeSpan after, Exception? inner = null) =>
        new($"The {what} exchange did not finish within {after.TotalSeconds:0.###} s.", inner);
}
