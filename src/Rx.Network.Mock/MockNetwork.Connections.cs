using Rx.Network.Identity;
using Rx.Network.Mock.Links;
using Rx.Network.Mock.Peers;
using Rx.Network.Reactive;

namespace Rx.Network.Mock;

public sealed partial class MockNetwork
{
    /// <summary>Dials from <paramref name="a"/> to <paramref name="b"/> (they must be linked), driving virtual time until the connection is up.</summary>
    /// <param name="a">The dialer.</param>
    /// <param name="b">The peer dialed.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><paramref name="a"/>'s end of the connection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer is not part of this network.</exception>
    /// <exception cref="DialException">The peers are not linked, or the link is down.</exception>
    public Task<IConnection> ConnectPeersAsync(INetwork a, INetwork b, CancellationToken cancellationToken = default)
    {
        _ = End(a, nameof(a));
        var target = End(b, nameof(b)).LocalPeer;
        return RunAsync(() => a.DialPeerAsync(target, cancellationToken), cancellationToken: cancellationToken);
    }

    /// <summary>Closes every connection between two peers, gracefully.</summary>
    /// <param name="a">One peer.</param>
    /// <param name="b">The other.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the connections are closed at <paramref name="a"/>'s end.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer is not part of this network.</exception>
    public Task DisconnectPeersAsync(INetwork a, INetwork b, CancellationToken cancellationToken = default)
    {
        _ = End(a, nameof(a));
        var target = End(b, nameof(b)).LocalPeer;
        return RunAsync(() => a.ClosePeerAsync(target, cancellationToken), cancellationToken: cancellationToken);
    }

    /// <summary>Connects every pair of linked peers not connected yet (the lower-index peer dials), driving virtual time until all are up.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when every dial has succeeded.</returns>
    /// <exception cref="DialException">A dial failed (a link is down).</exception>
    public Task ConnectAllButSelfAsync(CancellationToken cancellationToken = default)
    {
        var pairs = Links
            .Where(link => link.PeerA.Connectedness(link.PeerB.LocalPeer) != Connectedness.Connected)
            .Select(link => (link.PeerA, link.PeerB.LocalPeer))
            .ToArray();
        return RunAsync(() => Task.WhenAll(pairs.Select(p => p.PeerA.DialPeerAsync(p.LocalPeer, cancellationToken))), cancellationToken: cancellationToken);
    }

    /// <summary>Adds <paramref name="count"/> peers and links every pair.</summary>
    /// <param name="count">How many peers.</param>
    /// <param name="options">Link options; the defaults when null.</param>
    /// <returns>The new peers.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public IReadOnlyList<INetwork> FullMeshLinked(int count, LinkOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var added = Enumerable.Range(0, count).Select(_ => GenPeer()).ToArray();
        for (int i = 0; i < added.Length; i++)
        {
            for (int j = i + 1; j < added.Length; j++)
            {
                LinkPeers(added[i], added[j], options);
            }
        }

        return added;
    }

    /// <summary>Like <see cref="FullMeshLinked"/>, then connects every pair.</summary>
    /// <param name="count">How many peers.</param>
    /// <param name="options">Link options; the defaults when null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The new peers, all connected to each other.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public async Task<IReadOnlyList<INetwork>> FullMeshConnectedAsync(int count, LinkOptions? options = null, CancellationToken cancellationToken = default)
    {
        var added = FullMeshLinked(count, options);
        await RunAsync(
            () => Task.WhenAll(
                from i in Enumerable.Range(0, added.Count)
                from j in Enumerable.Range(i + 1, added.Count - i - 1)
                select added[i].DialPeerAsync(added[j].LocalPeer, cancellationToken)),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <summary>Starts a fast-mode dial: over the link when there is a usable one, else a refusal.</summary>
    internal void StartDial(MockPeer dialer, PeerId target, SharedOutcome<IConnection> attempt)
    {
        ILinkEnd? end;
        lock (gate)
        {
            end = ends.GetValueOrDefault(target);
        }

        var link = end is null ? null : LinkOf(dialer, end);
        Exception? reason = end is not MockPeer listener ? new MockLinkException($"No peer {target} in this mock network.")
            : link is null ? new MockLinkException($"{dialer} and {listener} are not linked.")
            : link.CutReason;
        if (reason is not null)
        {
            var error = new DialException(target, $"The mock dial to {target} failed: {reason.Message}", end is MockPeer p ? [new(p.Address, reason)] : null);
            Work.Post(() => dialer.DialFailed(target, attempt, error));
            return;
        }

        var pair = new ConnectionPair(link!, dialer, (MockPeer)end!);
        link!.Track(pair);
        link.From(dialer).Send(new Frame(
            LinkFrameKind.Dial,
            protocol: null,
            0,
            () => pair.Listener.AcceptDial(pair, attempt),
            lost =>
            {
                link.Untrack(pair);
                dialer.DialFailed(target, attempt, new DialException(target, $"The mock dial to {target} failed: {lost.Message}", [new(pair.Listener.Address, lost)]));
            }));
    }
}
