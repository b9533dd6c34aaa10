namespace Rx.Network;

/// <summary>
/// A protocol negotiation (multistream-select) ended without agreeing on a protocol although the
/// remote followed the wire protocol: it refused everything we proposed, proposed too many things
/// we refused, ran out of time or closed the channel.
/// </summary>
/// <remarks>
/// <para>Derives from <see cref="IOException"/>, not from <see cref="WireProtocolViolationException"/>:
/// a refusal is a legitimate answer, so the failure is one of the channel (like a closed socket), not
/// of malformed bytes. Malformed negotiation messages (a wrong header, a missing newline, a message
/// over 1024 bytes, an unexpected answer) throw <see cref="WireProtocolViolationException"/> or
/// <see cref="MessageTooLargeException"/>, which are <see cref="FormatException"/>s.</para>
/// <para>Cancellation through the caller's token surfaces as <see cref="OperationCanceledException"/>,
/// not as this exception; only the negotiation's own timeout becomes
/// <see cref="NegotiationFailure.TimedOut"/>.</para>
/// </remarks>
public sealed class NegotiationException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public NegotiationException() : this("The protocol negotiation failed.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The description.</param>
    public NegotiationException(string message) : base(message)
    {
        ProtocolsTried = [];
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure.</param>
    public NegotiationException(string message, Exception innerException) : base(message, innerException)
    {
        ProtocolsTried = [];
    }

    /// <summary>Creates the exception for a failure reason and the protocols proposed so far.</summary>
    /// <param name="failure">Why the negotiation ended.</param>
    /// <param name="protocolsTried">The protocols proposed (by either side) and refused, in order.</param>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    /// <exception cref="ArgumentNullException"><paramref name="protocolsTried"/> or <paramref name="message"/> is null.</exception>
    public NegotiationException(NegotiationFailure failure, IReadOnlyList<string> protocolsTried, string message, Exception? innerException = null)
        : base(message ?? throw new ArgumentNullException(nameof(message)), innerException)
    {
        ArgumentNullException.ThrowIfNull(protocolsTried);
        Failure = failure;
        ProtocolsTried = [.. protocolsTried];
    }

    /// <summary>Why the negotiation ended (<see cref="NegotiationFailure.NoCommonProtocol"/> unless set).</summary>
    public NegotiationFailure Failure { get; }

    /// <summary>
    /// The protocols proposed and refused before the negotiation ended, in order: ours when we
    /// initiated, the remote's when we responded (where an <c>ls</c> request, which also counts
    /// towards the refusal limit, appears as <c>ls</c>).
    /// </summary>
    public IReadOnlyList<string> ProtocolsTried { get; }
}
