using Rx.Network.Identity;
using Rx.Network.Peerstore;

namespace Rx.Network.Mock;

public sealed partial class MockNetwork
{
    private readonly Dictionary<(int, int), MockLink> links = [];
    private LinkOptions linkDefaults;

    /// <summary>Every link, in no particular order.</summary>
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

    /// <summary>Sets the options of links made from now on without explicit ones (<see cref="LinkPeers"/>, <see cref="LinkAll"/>).</summary>
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

    /// <summary>
    /// Links two peers, so that they can connect, and tells each the other's address (permanently, in
    /// its peer store). Linking peers that are already linked returns the existing link with the new
    /// options applied, when given.
    /// </summary>
    /// <param name="a">One peer.</param>
    /// <param name="b">The other.</param>
    /// <param name="options">How the link carries bytes; default: the link defaults (<see cref="SetLinkDefaults"/>).</param>
    /// <returns>The link.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer is not part of this mock network, or both are the same.</exception>
    /// <exception cref="ObjectDisposedException">The mock network was disposed.</exception>
    public MockLink LinkPeers(PeerId a, PeerId b, LinkOptions? options = null)
    {
        var (first, second) = Pair(a, b);
        ThrowIfDisposed();
        MockLink link;
        lock (gate)
        {
            if (links.TryGetValue((first.Index, second.Index), out var existing))
            {
                link = existing;
            }
            else
            {
                link = new MockLink(this, first, second, options ?? linkDefaults, LinkSeed(first, second));
                links.Add((first.Index, second.Index), link);
                options = null;
            }
        }

        if (options is not null)
        {
            link.Options = options;
        }

        first.Network.Peerstore.AddAddresses(second.Id, [second.Address], AddressTtl.Permanent);
        second.Network.Peerstore.AddAddresses(first.Id, [first.Address], AddressTtl.Permanent);
        return link;
    }

    /// <summary>
    /// Removes the link between two peers: every connection across it fails at once on both sides
    /// (reads and writes throw, streams fail with a <see cref="MuxerClosedException"/> wrapping a
    /// <see cref="TransportException"/>, each side publishes <see cref="Disconnected"/> with the
    /// error), and later dials are refused until the peers are linked again.
    /// </summary>
    /// <param name="a">One peer.</param>
    /// <param name="b">The other.</param>
    /// <returns>Whether there was a link.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer is not part of this mock network, or both are the same.</exception>
    public bool UnlinkPeers(PeerId a, PeerId b)
    {
        var (first, second) = Pair(a, b);
        MockLink? link;
        lock (gate)
        {
            if (links.Remove((first.Index, second.Index), out link) is false)
            {
                return false;
            }
        }

        link.Remove();
        return true;
    }

    /// <summary>The link between two peers, if any.</summary>
    /// <param name="a">One peer.</param>
    /// <param name="b">The other.</param>
    /// <returns>The link, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer is not part of this mock network, or both are the same.</exception>
    public MockLink? GetLink(PeerId a, PeerId b)
    {
        var (first, second) = Pair(a, b);
        lock (gate)
        {
            return links.GetValueOrDefault((first.Index, second.Index));
        }
    }

    /// <summary>Links every pair of peers not linked yet, with the link defaults. Quadratic: meant for small networks.</summary>
    /// <exception cref="ObjectDisposedException">The mock network was disposed.</exception>
    public void LinkAll()
    {
        ThrowIfDisposed();
        MockPeer[] all;
        lock (gate)
        {
            all = [.. peers];
        }

        for (int i = 0; i < all.Length; i++)
        {
            for (int j = i + 1; j < all.Length; j++)
            {
                LinkPeers(all[i].Id, all[j].Id);
            }
        }
    }

    /// <summary>The link a dial from <paramref name="from"/> to <paramref name="to"/> would take, if any.</summary>
    internal MockLink? FindLink(MockPeer from, MockPeer to)
    {
        var key = from.Index < to.Index ? (from.Index, to.Index) : (to.Index, from.Index);
        lock (gate)
        {
            return links.GetValueOrDefault(key);
        }
    }

    /// <summary>Both peers, the one added first first (the link's A end).</summary>
    private (MockPeer First, MockPeer Second) Pair(PeerId a, PeerId b)
    {
        var pa = Find(a, nameof(a));
        var pb = Find(b, nameof(b));
        if (ReferenceEquals(pa, pb))
        {
            throw new ArgumentException("A peer cannot be linked to itself.", nameof(b));
        }

        return pa.Index < pb.Index ? (pa, pb) : (pb, pa);
    }

    /// <summary>A seed for the link's jitter that depends only on the network's seed and the two peers' order of arrival.</summary>
    private int LinkSeed(MockPeer first, MockPeer second)
    {
        // SplitMix64's finalizer: nearby inputs give unrelated seeds.
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + ((ulong)(uint)first.Index << 32 | (uint)second.Index));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return unchecked((int)(z ^ (z >> 31)));
    }
}
