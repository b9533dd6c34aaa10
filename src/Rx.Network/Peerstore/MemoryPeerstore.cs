using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Reactive;

namespace Rx.Network.Peerstore;

/// <summary>
/// The in-memory <see cref="IPeerstore"/>: thread-safe, bounded by <see cref="PeerstoreOptions"/>,
/// with address lifetimes measured on the injected <see cref="TimeProvider"/> (so tests run it in
/// virtual time).
/// </summary>
public sealed partial class MemoryPeerstore : IPeerstore, IDisposable
{
    private readonly object gate = new();
    private readonly Dictionary<PeerId, Entry> entries = [];
    private readonly ObservableCache<PeerId, PeerInfo> cache = new(info => info.Peer);

    // The snapshots in the cache are made while someone observes it, and otherwise on the next
    // read of Peers: a node that knows tens of thousands of peers and whose Peers nobody watches
    // keeps no snapshot (a PeerInfo and its address array) per peer, and builds none per change.
    private readonly RefreshingCache<PeerId, PeerInfo> peers;
    private bool stale;
    private readonly PeerstoreOptions options;
    private readonly TimeProvider time;
    private readonly ITimer sweeper;
    private long touches;

    /// <summary>Creates an empty peer store.</summary>
    /// <param name="time">The clock for address lifetimes; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="options">Bounds; <see cref="PeerstoreOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public MemoryPeerstore(TimeProvider? time = null, PeerstoreOptions? options = null)
    {
        this.options = options ?? PeerstoreOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.MaxPeers, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.MaxAddressesPerPeer, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(this.options.MaxProtocolsPerPeer, nameof(options));
        if (this.options.LatencySmoothing is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "LatencySmoothing must be in (0, 1].");
        }

        this.time = time ?? TimeProvider.System;
        peers = new RefreshingCache<PeerId, PeerInfo>(cache, Refresh);
        sweeper = this.time.CreateTimer(_ => Sweep(), null, this.options.SweepInterval, this.options.SweepInterval);
    }

    /// <inheritdoc/>
    public IObservableCache<PeerId, PeerInfo> Peers => peers;

    /// <summary>
    /// Told (under the store's lock) when a peer's smoothed latency changes: how a node follows
    /// latencies without observing <see cref="Peers"/>, which would keep a snapshot per peer.
    /// </summary>
    internal Action<PeerId, TimeSpan>? LatencyChanged { get; set; }

    /// <inheritdoc/>
    public PeerInfo? PeerInfo(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        lock (gate)
        {
            return entries.TryGetValue(peer, out var entry) ? entry.Snapshot(peer, Now) : null;
        }
    }

    /// <summary>
    /// The peer's smoothed round-trip time, without the snapshot <see cref="PeerInfo(PeerId)"/>
    /// builds (a connection's open and close ask for it, and a simulation opens hundreds of thousands).
    /// </summary>
    internal TimeSpan? LatencyOf(PeerId peer)
    {
        lock (gate)
        {
            return entries.TryGetValue(peer, out var entry) ? entry.Latency : null;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<Multiaddr> Addresses(PeerId peer) => PeerInfo(peer)?.Addresses ?? [];

    /// <inheritdoc/>
    public void AddAddresses(PeerId peer, IEnumerable<Multiaddr> addresses, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        Update(peer, (entry, now) =>
        {
            var expiry = ExpiryOf(now, ttl);
            foreach (var address in addresses)
            {
                ArgumentNullException.ThrowIfNull(address, nameof(addresses));
                var bare = address.WithoutPeerId();
                if (!entry.TryGetExpiry(bare, out var existing) || existing < expiry)
                {
                    entry.SetAddress(bare, expiry, options.MaxAddressesPerPeer);
                }
            }
        });
    }

    /// <inheritdoc/>
    public void SetAddresses(PeerId peer, IEnumerable<Multiaddr> addresses, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.Zero);
        Update(peer, (entry, now) =>
        {
            foreach (var address in addresses)
            {
                ArgumentNullException.ThrowIfNull(address, nameof(addresses));
                var bare = address.WithoutPeerId();
                if (ttl == TimeSpan.Zero)
                {
                    entry.RemoveAddress(bare);
                }
                else
                {
                    entry.SetAddress(bare, ExpiryOf(now, ttl), options.MaxAddressesPerPeer);
                }
            }
        });
    }

    /// <inheritdoc/>
    public void AddPublicKey(PeerId peer, PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(key);
        if (!peer.Matches(key))
        {
            throw new ArgumentException($"The key does not belong to {peer}.", nameof(key));
        }

        Update(peer, (entry, _) => entry.PublicKey = key);
    }

    /// <inheritdoc/>
    public void SetProtocols(PeerId peer, IEnumerable<string> protocols)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(protocols);
        var kept = protocols
            .Where(p => !string.IsNullOrEmpty(p) && p.Length <= options.MaxStringLength)
            .Distinct(StringComparer.Ordinal)
            .Take(options.MaxProtocolsPerPeer)
            .ToArray();
        Update(peer, (entry, _) => entry.Protocols = kept);
    }

    /// <inheritdoc/>
    public void SetVersions(PeerId peer, string? agentVersion, string? protocolVersion)
    {
        ArgumentNullException.ThrowIfNull(peer);
        Update(peer, (entry, _) =>
        {
            if (agentVersion is not null && agentVersion.Length <= options.MaxStringLength)
            {
                entry.AgentVersion = agentVersion;
            }

            if (protocolVersion is not null && protocolVersion.Length <= options.MaxStringLength)
            {
                entry.ProtocolVersion = protocolVersion;
            }
        });
    }

    /// <inheritdoc/>
    public void RecordLatency(PeerId peer, TimeSpan rtt)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentOutOfRangeException.ThrowIfLessThan(rtt, TimeSpan.Zero);
        double weight = options.LatencySmoothing;
        Update(peer, (entry, _) =>
        {
            var previous = entry.Latency;
            var latency = previous is { } known
                ? TimeSpan.FromTicks((long)((weight * rtt.Ticks) + ((1 - weight) * known.Ticks)))
                : rtt;
            entry.Latency = latency;
            if (latency != previous)
            {
                LatencyChanged?.Invoke(peer, latency);
            }
        });
    }

    /// <inheritdoc/>
    public void RemovePeer(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        lock (gate)
        {
            if (entries.Remove(peer))
            {
                cache.Remove(peer);
            }
        }
    }

    /// <summary>Stops the expiry sweeps and completes <see cref="Peers"/> subscribers.</summary>
    public void Dispose()
    {
        sweeper.Dispose();
        cache.Dispose();
    }

    private DateTimeOffset Now => time.GetUtcNow();

    private static DateTimeOffset ExpiryOf(DateTimeOffset now, TimeSpan ttl) =>
        ttl == TimeSpan.MaxValue || DateTimeOffset.MaxValue - now <= ttl ? DateTimeOffset.MaxValue : now + ttl;

    private void Update(PeerId peer, Action<Entry, DateTimeOffset> change)
    {
        lock (gate)
        {
            var now = Now;
            if (!entries.TryGetValue(peer, out var entry))
            {
                if (entries.Count >= options.MaxPeers)
                {
                    EvictLeastRecentlyTouched();
                }

                entry = new Entry();
                entries.Add(peer, entry);
            }

            change(entry, now);
            entry.Touched = ++touches;
            entry.RemoveExpired(now);

            Publish(peer, entry, now);
        }
    }

    /// <summary>Publishes the entry's snapshot if anyone observes the cache; otherwise marks it for the next read.</summary>
    private void Publish(PeerId peer, Entry entry, DateTimeOffset now)
    {
        if (cache.SubscriberCount == 0)
        {
            entry.Stale = true;
            stale = true;
            return;
        }

        // Published under the lock so that snapshots of one peer reach subscribers in the
        // order the changes were made.
        entry.Stale = false;
        cache.AddOrUpdate(entry.Snapshot(peer, now));
    }

    /// <summary>Brings the cache up to date with the entries changed while nobody observed it.</summary>
    private void Refresh()
    {
        lock (gate)
        {
            if (!stale)
            {
                return;
            }

            stale = false;
            var now = Now;
            foreach (var (peer, entry) in entries)
            {
                if (entry.Stale)
                {
                    entry.RemoveExpired(now);
                    entry.Stale = false;
                    cache.AddOrUpdate(entry.Snapshot(peer, now));
                }
            }
        }
    }

    private void EvictLeastRecentlyTouched()
    {
        var victim = entries.MinBy(pair => pair.Value.Touched).Key;
        entries.Remove(victim);
        cache.Remove(victim);
    }

    private void Sweep()
    {
        lock (gate)
        {
            var now = Now;
            foreach (var (peer, entry) in entries)
            {
                if (entry.RemoveExpired(now))
                {
                    Publish(peer, entry, now);
                }
            }
        }
    }
}
