namespace Rx.Network;

/// <summary>
/// The type field of a yamux header (spec "Type Field": libp2p/specs yamux/README.md#type-field).
/// </summary>
public enum YamuxFrameType : byte
{
    /// <summary>Carries stream bytes; may be empty when it only carries flags.</summary>
    Data = 0,

    /// <summary>Grows the receiver's send window by the length field; also carries stream flags.</summary>
    WindowUpdate = 1,

    /// <summary>Measures the round trip; the length field is an opaque value echoed back. Stream id 0.</summary>
    Ping = 2,

    /// <summary>Ends the session; the length field is the GoAway code (0 normal, 1 protocol error, 2 internal error). Stream id 0.</summary>
    GoAway = 3,
}
