using System.Reactive.Disposables;
using Rx.Network.Mock.Links;
using Rx.Network.Mock.Peers;

namespace Rx.Network.Mock;

/// <summary>
/// A bidirectional link between two mock peers: the only way they can reach each other. Its
/// <see cref="Options"/> (latency, jitter, bandwidth, down) apply to both directions, each a FIFO
/// wire of its own; its <see cref="LinkRule"/>s drop or delay individual frames.
/// </summary>
/// <remarks>
/// Taking a link down (<see cref="LinkOptions.Down"/>), unlinking the peers or partitioning them
/// fails every connection over it at once, at both ends, with a <see cref="MockLinkException"/>:
/// their streams fail, <see cref="Disconnected"/> fires and <see cref="Connectedness"/> moves to
/// <see cref="Connectedness.NotConnected"/>; dials fail until the link is up again.
/// </remarks>
public sealed class MockLink
{
    private readonly Lock gate = new();
    private readonly int seed;

    // Made at the first jittered frame (the same draws as one made up front): a link without
    // jitter, as most of a large simulation's, then holds no generator and its seed table.
    private Random? jitter;
    // Copy-on-write under gate, read without it: every frame of the link consults it.
    private LinkRule[] rules = [];
    // Sized for the usual one connection over a link.
    private readonly List<ConnectionPair> connections = new(1);
    private LinkOptions options;
    private bool unlinked;

    internal MockLink(MockNetwork network, ILinkEnd a, ILinkEnd b, LinkOptions options, int seed)
    {
        Network = network;
        A = a;
        B = b;
        this.options = options;
        this.seed = seed;
        AToB = new LinkDirection(this, a, b);
        BToA = new LinkDirection(this, b, a);
    }

    /// <summary>One end.</summary>
    public INetwork PeerA => A.Peer;

    /// <summary>The other end.</summary>
    public INetwork PeerB => B.Peer;

    /// <summary>
    /// The link's behaviour. Setting it applies at once to frames sent from then on; setting
    /// <see cref="LinkOptions.Down"/> fails the connections over the link.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
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
                options = value;
            }

            if (CutReason is { } reason)
            {
                Network.Drive(() => Cut(reason));
            }
        }
    }

    /// <summary>The connections currently carried by this link.</summary>
    public IReadOnlyList<IConnection> Connections
    {
        get
        {
            lock (gate)
            {
                return connections.SelectMany(pair => pair.Sides).ToArray();
            }
        }
    }

    internal MockNetwork Network { get; }

    internal ILinkEnd A { get; }

    internal ILinkEnd B { get; }

    internal LinkDirection AToB { get; }

    internal LinkDirection BToA { get; }

    /// <summary>Why nothing crosses the link now, or null when it is up.</summary>
    internal Exception? CutReason
    {
        get
        {
            lock (gate)
            {
                if (unlinked)
                {
                    return new MockLinkException($"The peers {A.LocalPeer} and {B.LocalPeer} were unlinked.");
                }

                if (options.Down)
                {
                    return new MockLinkException($"The link {this} is down.");
                }
            }

            return Network.PartitionReason(A, B);
        }
    }

    /// <summary>Adds a fault rule; dispose the result to remove it.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>Removes the rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is null.</exception>
    public IDisposable AddRule(LinkRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (gate)
        {
            rules = [.. rules, rule];
        }

        return Disposable.Create(() =>
        {
            lock (gate)
            {
                int index = Array.IndexOf(rules, rule);
                if (index >= 0)
                {
                    rules = [.. rules[..index], .. rules[(index + 1)..]];
                }
            }
        });
    }

    /// <inheritdoc/>
    public override string ToString() => $"{A.LocalPeer.Short()}<->{B.LocalPeer.Short()}";

    internal LinkDirection From(ILinkEnd peer) => peer == A ? AToB : BToA;

    /// <summary>Whether any rule is in force (frames skip judging when none is).</summary>
    internal bool HasRules => Volatile.Read(ref rules).Length > 0;

    internal LinkVerdict Judge(LinkFrame frame)
    {
        foreach (var rule in Volatile.Read(ref rules))
        {
            var verdict = rule(frame);
            if (verdict != LinkVerdict.Pass)
            {
                return verdict;
            }
        }

        return LinkVerdict.Pass;
    }

    internal long NextJitterTicks()
    {
        lock (gate)
        {
            long max = options.Jitter.Ticks;
            return max == 0 ? 0 : (jitter ??= new Random(seed)).NextInt64(max + 1);
        }
    }

    internal void Track(ConnectionPair pair)
    {
        lock (gate)
        {
            connections.Add(pair);
        }
    }

    internal void Untrack(ConnectionPair pair)
    {
        lock (gate)
        {
            connections.Remove(pair);
        }
    }

    internal void MarkUnlinked()
    {
        lock (gate)
        {
            unlinked = true;
        }
    }

    /// <summary>Loses what is in flight and fails every connection over the link.</summary>
    internal void Cut(Exception reason)
    {
        ConnectionPair[] failing;
        lock (gate)
        {
            failing = [.. connections];
            connections.Clear();
        }

        // Connections first, so that their streams fail with the link's reason rather than with
        // the loss of whatever frame of theirs was in flight.
        foreach (var pair in failing)
        {
            pair.Fail(reason);
        }

        A.Cut(this, reason);
        B.Cut(this, reason);
        AToB.Cut(reason);
        BToA.Cut(reason);
    }
}
