using Rx.Network.Mock.Links;

namespace Rx.Network.Mock;

public sealed partial class MockNetwork
{
    private readonly Dictionary<(int, int), MockLink> links = [];
    private readonly Dictionary<int, int> partition = [];
    private LinkOptions linkDefaults;

    // Whether a partition is in force: every frame asks, and almost never is there one.
    private volatile bool partitioned;

    /// <summary>Every link, in the order made.</summary>
    public IReadOnlyList<MockLink> Links
    {
        get
        {
            lock (gate)
            {
                return [.. links.Values];
            }
        }
    }

    /// <summary>Sets the options of links made from now on without explicit options.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public void SetLinkDefaults(LinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (gate)
        {
            linkDefaults = options;
        }
    }

    /// <summary>Links two peers (or returns their link, with its options updated when given).</summary>
    /// <param name="a">One peer.</param>
    /// <param name="b">The other.</param>
    /// <param name="options">The link's options; the defaults when null.</param>
    /// <returns>The link.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer is not part of this network, or both are the same peer.</exception>
    public MockLink LinkPeers(INetwork a, INetwork b, LinkOptions? options = null)
    {
        var (endA, endB) = (End(a, nameof(a)), End(b, nameof(b)));
        if (endA == endB)
        {
            throw new ArgumentException("A peer cannot be linked to itself.", nameof(b));
        }

        MockLink? existing;
        MockLink? created = null;
        lock (gate)
        {
            ThrowIfDisposed();
            if (!links.TryGetValue(Key(endA, endB), out existing))
            {
                var (first, second) = endA.Index < endB.Index ? (endA, endB) : (endB, endA);
                created = new MockLink(this, first, second, options ?? linkDefaults, linkSeeds.Next());
                links[Key(endA, endB)] = created;
            }
        }

        if (created is not null)
        {
            // Linked peers know where to find each other, as peers that met through discovery
            // would: the swarm of a real-stack peer dials from its peerstore.
            a.Peerstore.AddAddresses(b.LocalPeer, b.ListenAddresses, Peerstore.AddressTtl.Permanent);
            b.Peerstore.AddAddresses(a.LocalPeer, a.ListenAddresses, Peerstore.AddressTtl.Permanent);
            return created;
        }

        if (options is not null)
        {
            existing!.Options = options;
        }

        return existing!;
    }

    /// <summary>Removes the link between two peers: their connections fail, and dials between them fail until they are linked again.</summary>
    /// <param name="a">One peer.</param>
    /// <param name="b">The other.</param>
    /// <returns>Whether there was a link.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer is not part of this network.</exception>
    public bool UnlinkPeers(INetwork a, INetwork b)
    {
        var (endA, endB) = (End(a, nameof(a)), End(b, nameof(b)));
        MockLink? link;
        lock (gate)
        {
            if (!links.Remove(Key(endA, endB), out link))
            {
                return false;
            }
        }

        link.MarkUnlinked();
        Drive(() => link.Cut(link.CutReason!));
        return true;
    }

    /// <summary>The link between two peers, or null.</summary>
    /// <param name="a">One peer.</param>
    /// <param name="b">The other.</param>
    /// <returns>The link, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer is not part of this network.</exception>
    public MockLink? LinkBetween(INetwork a, INetwork b)
    {
        var (endA, endB) = (End(a, nameof(a)), End(b, nameof(b)));
        lock (gate)
        {
            return links.GetValueOrDefault(Key(endA, endB));
        }
    }

    /// <summary>Links every pair of peers not linked yet.</summary>
    /// <param name="options">Options for the new links; the defaults when null.</param>
    public void LinkAll(LinkOptions? options = null)
    {
        var all = Peers;
        for (int i = 0; i < all.Count; i++)
        {
            for (int j = i + 1; j < all.Count; j++)
            {
                if (LinkBetween(all[i], all[j]) is null)
                {
                    LinkPeers(all[i], all[j], options);
                }
            }
        }
    }

    /// <summary>
    /// Splits the network: peers in different groups can no longer reach each other (their
    /// connections fail, dials fail); peers in no group keep their links. Replaces any partition
    /// in force. <see cref="Heal"/> ends it.
    /// </summary>
    /// <param name="groups">The groups.</param>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> or a group is null.</exception>
    /// <exception cref="ArgumentException">A peer is in two groups, or not part of this network.</exception>
    public void Partition(params IEnumerable<INetwork>[] groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var assignment = new Dictionary<int, int>();
        for (int g = 0; g < groups.Length; g++)
        {
            ArgumentNullException.ThrowIfNull(groups[g], nameof(groups));
            foreach (var peer in groups[g])
            {
                if (!assignment.TryAdd(End(peer, nameof(groups)).Index, g))
                {
                    throw new ArgumentException($"Peer {peer.LocalPeer} is in two groups.", nameof(groups));
                }
            }
        }

        MockLink[] affected;
        lock (gate)
        {
            partition.Clear();
            foreach (var (index, group) in assignment)
            {
                partition[index] = group;
            }

            partitioned = partition.Count > 0;

            affected = [.. links.Values];
        }

        Drive(() =>
        {
            foreach (var link in affected)
            {
                if (link.CutReason is { } reason)
                {
                    link.Cut(reason);
                }
            }
        });
    }

    /// <summary>Ends the partition: every link works as its options say again (connections do not come back by themselves; dial again).</summary>
    public void Heal()
    {
        lock (gate)
        {
            partition.Clear();
            partitioned = false;
        }
    }

    /// <summary>Why <paramref name="a"/> and <paramref name="b"/> cannot reach each other because of a partition, or null.</summary>
    internal Exception? PartitionReason(ILinkEnd a, ILinkEnd b)
    {
        if (!partitioned)
        {
            return null;
        }

        lock (gate)
        {
            return partition.TryGetValue(a.Index, out int ga) && partition.TryGetValue(b.Index, out int gb) && ga != gb
                ? new MockLinkException($"The peers {a.LocalPeer} and {b.LocalPeer} are in different partitions.")
                : null;
        }
    }

    /// <summary>The link <paramref name="from"/> would use to reach <paramref name="to"/>, or null.</summary>
    internal MockLink? LinkOf(ILinkEnd from, ILinkEnd to)
    {
        lock (gate)
        {
            return links.GetValueOrDefault(Key(from, to));
        }
    }

    private static (int, int) Key(ILinkEnd a, ILinkEnd b) => a.Index < b.Index ? (a.Index, b.Index) : (b.Index, a.Index);
}
