namespace Rx.Network;

/// <summary>Why a protocol negotiation ended without agreeing on a protocol.</summary>
/// <remarks>
/// These are the failures in which the remote followed the wire protocol; malformed input is a
/// <see cref="WireProtocolViolationException"/> instead.
/// </remarks>
public enum NegotiationFailure
{
    /// <summary>The remote refused every protocol we proposed.</summary>
    NoCommonProtocol,

    /// <summary>The remote made more proposals we had to refuse than the configured limit allows.</summary>
    TooManyProposals,

    /// <summary>The negotiation did not finish within the configured timeout.</summary>
    TimedOut,

    /// <summary>The remote closed the channel (cleanly, between messages) before a protocol was agreed.</summary>
    Closed,
}
