namespace Rx.Network.Peerstore;

/// <summary>Conventional lifetimes for addresses in the peer store (go-libp2p's <c>peerstore</c> TTLs).</summary>
public static class AddressTtl
{
    /// <summary>Addresses that are only briefly useful, e.g. relayed hints: 2 minutes.</summary>
    public static readonly TimeSpan Temporary = TimeSpan.FromMinutes(2);

    /// <summary>Addresses of a peer we were connected to until recently: 15 minutes.</summary>
    public static readonly TimeSpan RecentlyConnected = TimeSpan.FromMinutes(15);

    /// <summary>Addresses learned from a peer while connected (identify): kept while connected, 30 minutes after.</summary>
    public static readonly TimeSpan Connected = TimeSpan.FromMinutes(30);

    /// <summary>Addresses configured by the user, e.g. bootstrap peers: never expire.</summary>
    public static readonly TimeSpan Permanent = TimeSpan.MaxValue;
}
