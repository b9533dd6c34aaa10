namespace Rx.Network.Resources;

/// <summary>What a resource scope counts and limits (see <see cref="ScopeLimits"/>).</summary>
public enum Resource
{
    /// <summary>Bytes of memory reserved before use: receive windows, buffers before negotiation.</summary>
    Memory,

    /// <summary>Streams the remote peer opened.</summary>
    InboundStreams,

    /// <summary>Streams we opened.</summary>
    OutboundStreams,

    /// <summary>Established connections the remote peer opened.</summary>
    InboundConnections,

    /// <summary>Established connections we opened.</summary>
    OutboundConnections,

    /// <summary>Inbound connections accepted and still in their upgrade (security and muxer handshakes).</summary>
    PendingConnections,
}
