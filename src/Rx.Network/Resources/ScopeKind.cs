namespace Rx.Network.Resources;

/// <summary>The kinds of resource scope, from the widest to the narrowest (see <see cref="IResourceManager"/>).</summary>
public enum ScopeKind
{
    /// <summary>The whole node: every reservation is counted here.</summary>
    System,

    /// <summary>What is not attributed yet: connections still upgrading, streams whose protocol is not negotiated yet.</summary>
    Transient,

    /// <summary>One remote address group: an IPv4 /32, or an IPv6 /56 or /48 prefix.</summary>
    Address,

    /// <summary>One remote peer, once its identity is proven.</summary>
    Peer,

    /// <summary>One connection.</summary>
    Connection,

    /// <summary>One protocol, all peers together.</summary>
    Protocol,

    /// <summary>One protocol with one peer.</summary>
    ProtocolPeer,

    /// <summary>One stream.</summary>
    Stream,
}
