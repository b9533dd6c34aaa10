using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Reactive;

namespace Rx.Network.Peerstore;

/// <summary>
/// What a node knows about other peers (the seed's <c>Peerstore</c>): addresses with lifetimes,
/// public keys, protocols, agent versions and latency. Thread-safe, bounded, and observable
/// through <see cref="Peers"/>.
/// </summary>
public interface IPeerstore
{
    /// <summary>
    /// The peers with their current information, as an observable keyed cache: <c>Connect()</c>
    /// gives the current table, then every change. Expired addresses leave it as time passes.
    /// </summary>
    IObservableCache<PeerId, PeerInfo> Peers { get; }

    /// <summary>The snapshot for one peer, or <see langword="null"/> if unknown.</summary>
    /// <param name="peer">The peer.</param>
    /// <returns>The snapshot.</returns>
    PeerInfo? PeerInfo(PeerId peer);

    /// <summary>Adds addresses; an address already known keeps the later of its two expiry times.</summary>
    /// <param name="peer">The peer.</param>
    /// <param name="addresses">The addresses (a trailing <c>/p2p/</c> part is removed).</param>
    /// <param name="ttl">How long they stay; <see cref="AddressTtl.Permanent"/> for ever.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is not positive.</exception>
    void AddAddresses(PeerId peer, IEnumerable<Multiaddr> addresses, TimeSpan ttl);

    /// <summary>Sets the lifetime of the given addresses, adding them if needed; a zero <paramref name="ttl"/> removes them.</summary>
    /// <param name="peer">The peer.</param>
    /// <param name="addresses">The addresses.</param>
    /// <param name="ttl">The new lifetime.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is negative.</exception>
    void SetAddresses(PeerId peer, IEnumerable<Multiaddr> addresses, TimeSpan ttl);

    /// <summary>The peer's unexpired addresses.</summary>
    /// <param name="peer">The peer.</param>
    /// <returns>The addresses, possibly none.</returns>
    IReadOnlyList<Multiaddr> Addresses(PeerId peer);

    /// <summary>Records the peer's public key.</summary>
    /// <param name="peer">The peer.</param>
    /// <param name="key">Its key.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> does not belong to <paramref name="peer"/>.</exception>
    void AddPublicKey(PeerId peer, PublicKey key);

    /// <summary>Replaces the peer's protocol list (bounded; extra entries are dropped).</summary>
    /// <param name="peer">The peer.</param>
    /// <param name="protocols">The protocol ids.</param>
    void SetProtocols(PeerId peer, IEnumerable<string> protocols);

    /// <summary>Records the peer's agent and protocol version strings.</summary>
    /// <param name="peer">The peer.</param>
    /// <param name="agentVersion">The agent version, or null to leave as is.</param>
    /// <param name="protocolVersion">The protocol version, or null to leave as is.</param>
    void SetVersions(PeerId peer, string? agentVersion, string? protocolVersion);

    /// <summary>Folds a round-trip time into the peer's latency average.</summary>
    /// <param name="peer">The peer.</param>
    /// <param name="rtt">The measured round trip.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rtt"/> is negative.</exception>
    void RecordLatency(PeerId peer, TimeSpan rtt);

    /// <summary>Forgets everything about a peer.</summary>
    /// <param name="peer">The peer.</param>
    void RemovePeer(PeerId peer);
}
