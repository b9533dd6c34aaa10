namespace Rx.Network;

/// <summary>How reachable a peer is, as far as this node knows (the seed's <c>Connectedness</c>).</summary>
/// <remarks>
/// Transitions: <see cref="NotConnected"/> → <see cref="Connected"/> when the first connection
/// opens; → <see cref="CanConnect"/> when the last connection closed gracefully; →
/// <see cref="CannotConnect"/> when the last dial attempt failed. A peer in any state returns to
/// <see cref="Connected"/> when a connection opens again.
/// </remarks>
public enum Connectedness
{
    /// <summary>No connection, and no history: the default.</summary>
    NotConnected = 0,

    /// <summary>At least one connection is open.</summary>
    Connected,

    /// <summary>Was connected; every connection closed gracefully, so a dial will likely succeed.</summary>
    CanConnect,

    /// <summary>The last attempt to connect failed.</summary>
    CannotConnect,
}
