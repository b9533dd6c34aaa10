using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Peerstore;

public sealed partial class MemoryPeerstore
{
    /// <summary>The mutable record of one peer, guarded by the store's lock.</summary>
    private sealed class Entry
    {
        /// <summary>Address → expiry; insertion order is kept for stable snapshots.</summary>
        public Dictionary<Multiaddr, DateTimeOffset> Addresses { get; } = [];

        public PublicKey? PublicKey { get; set; }

        public IReadOnlyList<string> Protocols { get; set; } = [];

        public string? AgentVersion { get; set; }

        public string? ProtocolVersion { get; set; }

        public TimeSpan? Latency { get; set; }

        public long Touched { get; set; }

        public void SetAddress(Multiaddr address, DateTimeOffset expiry, int max)
        {
            if (!Addresses.ContainsKey(address) && Addresses.Count >= max)
            {
                Addresses.Remove(Addresses.MinBy(pair => pair.Value).Key);
            }

            Addresses[address] = expiry;
        }

        /// <summary>Drops expired addresses; returns whether any were.</summary>
        public bool RemoveExpired(DateTimeOffset now)
        {
            List<Multiaddr>? expired = null;
            foreach (var (address, expiry) in Addresses)
            {
                if (expiry <= now)
                {
                    (expired ??= []).Add(address);
                }
            }

            expired?.ForEach(a => Addresses.Remove(a));
            return expired is not null;
        }

        public PeerInfo Snapshot(PeerId peer, DateTimeOffset now) => new(
            peer,
            Addresses.Where(pair => pair.Value > now).Select(pair => pair.Key).ToArray(),
            PublicKey,
            Protocols,
            AgentVersion,
            ProtocolVersion,
            Latency);
    }
}
