using Rx.Network.Identity;
using Rx.Network.Mock.Links;
using Rx.Network.Mock.Peers;
using Rx.Network.Mock.Stack;

namespace Rx.Network.Mock;

public sealed partial class MockNetwork
{
    private readonly List<INetwork> peers = [];
    private readonly Dictionary<PeerId, ILinkEnd> ends = [];

    /// <summary>The peers, in the order they were added.</summary>
    public IReadOnlyList<INetwork> Peers
    {
        get
        {
            lock (gate)
            {
                return [.. peers];
            }
        }
    }

    /// <summary>
    /// Adds a peer with a new identity (derived from <see cref="MockNetworkOptions.Seed"/> when
    /// there is one), listening on <c>/memory/&lt;peer id&gt;</c>, with no links yet.
    /// </summary>
    /// <returns>The peer; the mock network disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The mock network was disposed.</exception>
    public INetwork GenPeer() => Add(NextKey(), ownsKey: true);

    /// <summary>Adds a peer with the given identity; see <see cref="GenPeer"/>.</summary>
    /// <param name="key">The identity; the mock network does not dispose it.</param>
    /// <returns>The peer; the mock network disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer with that identity is already part of the network.</exception>
    /// <exception cref="ObjectDisposedException">The mock network was disposed.</exception>
    public INetwork AddPeer(PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Add(key, ownsKey: false);
    }

    /// <summary>The peer with ID <paramref name="peer"/>, or null.</summary>
    /// <param name="peer">The peer ID.</param>
    /// <returns>The peer, or null when it is not part of this network.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    public INetwork? FindPeer(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        lock (gate)
        {
            return ends.GetValueOrDefault(peer)?.Peer;
        }
    }

    internal ILinkEnd? FindEnd(PeerId peer)
    {
        lock (gate)
        {
            return ends.GetValueOrDefault(peer);
        }
    }

    internal ILinkEnd End(INetwork peer, string paramName)
    {
        ArgumentNullException.ThrowIfNull(peer, paramName);
        lock (gate)
        {
            return ends.TryGetValue(peer.LocalPeer, out var end) && ReferenceEquals(end.Peer, peer)
                ? end
                : throw new ArgumentException("The peer is not part of this mock network.", paramName);
        }
    }

    private INetwork Add(PrivateKey key, bool ownsKey)
    {
        ILinkEnd end;
#pragma warning disable CA1859 // Two peer types share the table.
        lock (gate)
        {
            ThrowIfDisposed();
            if (ends.ContainsKey(PeerId.FromPublicKey(key.PublicKey)))
            {
                throw new ArgumentException($"Peer {PeerId.FromPublicKey(key.PublicKey)} is already part of this mock network.", nameof(key));
            }

            end = Options.Mode == MockNetworkMode.RealStack
                ? InRun(() => new RealStackPeer(this, peers.Count, key, ownsKey))
                : new MockPeer(this, peers.Count, key, ownsKey);
            ends[PeerId.FromPublicKey(key.PublicKey)] = end;
            peers.Add(end.Peer);
        }
#pragma warning restore CA1859

        switch (end)
        {
            case MockPeer fast:
                Drive(fast.Start);
                break;
            case RealStackPeer real:
                Drive(real.Start);
                break;
        }

        return end.Peer;
    }
}
