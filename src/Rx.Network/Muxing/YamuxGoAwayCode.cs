namespace Rx.Network.Muxing;

/// <summary>
/// The error codes a GoAway frame carries in its length field (spec "Session termination":
/// libp2p/specs yamux/README.md#session-termination). Peers may send other values; they are kept
/// as plain numbers where they surface (<see cref="MuxerClosedException.ErrorCode"/>).
/// </summary>
internal enum YamuxGoAwayCode : uint
{
    /// <summary>Normal termination: no new streams; streams already open may finish.</summary>
    Normal = 0,

    /// <summary>The peer violated the protocol.</summary>
    ProtocolError = 1,

    /// <summary>The sender failed internally.</summary>
    InternalError = 2,
}
