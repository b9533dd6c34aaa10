using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Peerstore;

public sealed partial class MemoryPeerstore
{
    /// <summary>The mutable record of one peer, guarded by the store's lock.</summary>
    private sealed class Entry
    {
        // Address and expiry in the order first added. A peer has a few addresses (at most
        // MaxAddressesPerPeer): a list searched in order is a quarter of a dictionary's size per
        // peer, and a node that knows tens of thousands of peers keeps one of these each.
        private readonly List<(Multiaddr Address, DateTimeOffset Expiry)> addresses = new(1);

        public PublicKey? PublicKey { get; set; }

        public IReadOnlyList<string> Protocols { get; set; } = [];

        public string? AgentVersion { get; set; }

        public string? ProtocolVersion { get; set; }

        public TimeSpan? Latency { get; set; }

        public long Touched { get; set; }

        /// <summary>Changed since its snapshot was last published (nobody observed the cache then).</summary>
        public bool Stale { get; set; }

        /// <summary>When <paramref name="address"/> expires, if the entry has it.</summary>
        public bool TryGetExpiry(Multiaddr address, out DateTimeOffset expiry)
        {
            int i = IndexOf(address);
            expiry = i < 0 ? default : addresses[i].Expiry;
            return i >= 0;
        }

        /// <summary>Adds <paramref name="address"/> or moves its expiry; a new one beyond <paramref name="max"/> replaces the one expiring first.</summary>
        public void SetAddress(Multiaddr address, DateTimeOffset expiry, int max)
        {
            int i = IndexOf(address);
            if (i >= 0)
            {
                addresses[i] = (address, expiry);
                return;
            }

            if (addresses.Count >= max)
            {
                int first = 0;
                for (int j = 1; j < addresses.Count; j++)
                {
                    if (addresses[j].Expiry < addresses[first].Expiry)
                    {
                        first = j;
                    }
                }

                addresses.RemoveAt(first);
            }

            addresses.Add((address, expiry));
        }

        /// <summary>Forgets <paramref name="address"/>.</summary>
        public void RemoveAddress(Multiaddr address)
        {
            int i = IndexOf(address);
            if (i >= 0)
            {
                addresses.RemoveAt(i);
            }
        }

        /// <summary>Drops expired addresses; returns whether any were.</summary>
        public bool RemoveExpired(DateTimeOffset now)
        {
            int kept = 0;
            for (int i = 0; i < addresses.Count; i++)
            {
                if (addresses[i].Expiry > now)
                {
                    addresses[kept++] = addresses[i];
                }
            }

            if (kept == addresses.Count)
            {
                return false;
            }

            addresses.RemoveRange(kept, addresses.Count - kept);
            return true;
        }

        public PeerInfo Snapshot(PeerId peer, DateTimeOffset now)
        {
            int live = 0;
            foreach (var (_, expiry) in addresses)
            {
                live += expiry > now ? 1 : 0;
            }

            var unexpired = live == 0 ? [] : new Multiaddr[live];
            int n = 0;
            foreach (var (address, expiry) in addresses)
            {
                if (expiry > now)
                {
                    unexpired[n++] = address;
                }
            }

            return new(peer, unexpired, PublicKey, Protocols, AgentVersion, ProtocolVersion, Latency);
        }

        private int IndexOf(Multiaddr address)
        {
            for (int i = 0; i < addresses.Count; i++)
            {
                if (addresses[i].Address.Equals(address))
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
