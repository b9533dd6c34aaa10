using Rx.Network.Identity;
using Rx.Network.Mock.Links;

namespace Rx.Network.Mock;

/// <summary>
/// A link between two peers of a <see cref="MockNetwork"/>: the path their connections take. Made
/// by <see cref="MockNetwork.LinkPeers"/>; its <see cref="Options"/> (latency, jitter, bandwidth,
/// down) can change at any time; <see cref="MockNetwork.UnlinkPeers"/> removes it.
/// </summary>
/// <remarks>
/// All connections between the two peers share the link: one "busy until" clock per direction,
/// so two transfers at once each get part of the bandwidth.
/// </remarks>
public sealed partial class MockLink
{
    private readonly object gate = new();
    private readonly LinkDirection[] directions;
    private LinkOptions options;
    private bool removed;

    internal MockLink(MockNetwork network, MockPeer a, MockPeer b, LinkOptions options, int seed)
    {
        Network = network;
        PeerA = a;
        PeerB = b;
        this.options = options;
        directions =
        [
            new LinkDirection(gate, network.Scheduler, seed),
            new LinkDirection(gate, network.Scheduler, unchecked(seed * 31 + 17)),
        ];
    }

    /// <summary>One end of the link (the peer added first).</summary>
    public PeerId A => PeerA.Id;

    /// <summary>The other end.</summary>
    public PeerId B => PeerB.Id;

    /// <summary>
    /// How the link carries bytes. Setting it applies to what is sent from then on; setting
    /// <see cref="LinkOptions.Down"/> to <see langword="false"/> releases what was held back.
    /// </summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    /// <exception cref="InvalidOperationException">Set after the link was removed.</exception>
    public LinkOptions Options
    {
        get
        {
            lock (gate)
            {
                return options;
            }
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (gate)
            {
                if (removed)
                {
                    throw new InvalidOperationException($"The link {this} was removed.");
                }

                options = value;
                foreach (var direction in directions)
                {
                    direction.Release(value);
                }
            }
        }
    }

    /// <summary>Whether <see cref="MockNetwork.UnlinkPeers"/> removed the link.</summary>
    public bool IsRemoved
    {
        get
        {
            lock (gate)
            {
                return removed;
            }
        }
    }

    /// <summary>Transmissions held back while the link is down, both directions together.</summary>
    public int HeldCount
    {
        get
        {
            lock (gate)
            {
                return directions.Sum(d => d.HeldCount);
            }
        }
    }

    internal MockNetwork Network { get; }

    internal MockPeer PeerA { get; }

    internal MockPeer PeerB { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{A} <-> {B}";

    /// <summary>Whether the link joins <paramref name="peer"/> to another.</summary>
    internal bool Touches(MockPeer peer) => ReferenceEquals(peer, PeerA) || ReferenceEquals(peer, PeerB);

    /// <summary>The direction <paramref name="sender"/> sends on: 0 from A to B, 1 from B to A.</summary>
    internal int DirectionFrom(MockPeer sender) => ReferenceEquals(sender, PeerA) ? 0 : 1;
}
