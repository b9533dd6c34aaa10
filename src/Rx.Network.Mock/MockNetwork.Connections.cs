using System.Reactive;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Rx.Network.Identity;
using Rx.Network.Peerstore;

namespace Rx.Network.Mock;

public sealed partial class MockNetwork
{
    /// <summary>
    /// Connects <paramref name="a"/> to <paramref name="b"/> (a dials) and returns once both sides
    /// have the connection. In virtual time, moves the clock as far as the dial and upgrade need.
    /// </summary>
    /// <param name="a">The dialer.</param>
    /// <param name="b">The peer dialed.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The dialer's connection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer is not part of this mock network, or both are the same.</exception>
    /// <exception cref="DialException">
    /// The dial failed: without a link (or with the link down) the transport refuses it (a
    /// <see cref="TransportException"/> inside), and <paramref name="a"/> sees <paramref name="b"/> as
    /// <see cref="Connectedness.CannotConnect"/>.
    /// </exception>
    /// <exception cref="TimeoutException">It took longer than <see cref="MockNetworkOptions.OperationTimeout"/>.</exception>
    public Task<IConnection> ConnectPeersAsync(PeerId a, PeerId b, CancellationToken cancellationToken = default)
    {
        var (dialer, dialed) = Ordered(a, b);
        return RunAsync(() => ConnectCoreAsync(dialer, dialed, cancellationToken), null, cancellationToken);
    }

    /// <summary>
    /// Closes every connection between two peers gracefully (from <paramref name="a"/>'s side) and
    /// returns once neither side has one left. In virtual time, moves the clock as far as needed.
    /// </summary>
    /// <param name="a">The peer that closes.</param>
    /// <param name="b">The other.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when both sides are disconnected.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> or <paramref name="b"/> is null.</exception>
    /// <exception cref="ArgumentException">A peer is not part of this mock network, or both are the same.</exception>
    /// <exception cref="TimeoutException">It took longer than <see cref="MockNetworkOptions.OperationTimeout"/>.</exception>
    public Task DisconnectPeersAsync(PeerId a, PeerId b, CancellationToken cancellationToken = default)
    {
        var (closer, other) = Ordered(a, b);
        return RunAsync(() => DisconnectCoreAsync(closer, other, cancellationToken), null, cancellationToken);
    }

    /// <summary>
    /// Connects every pair of peers (the one added first dials) and returns once every connection
    /// is up on both sides. The peers must be linked (see <see cref="LinkAll"/>). Quadratic: meant
    /// for small networks.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when all are connected.</returns>
    /// <exception cref="DialException">A dial failed (the others still ran).</exception>
    /// <exception cref="TimeoutException">It took longer than <see cref="MockNetworkOptions.OperationTimeout"/>.</exception>
    public Task ConnectAllButSelfAsync(CancellationToken cancellationToken = default)
    {
        MockPeer[] all;
        lock (gate)
        {
            all = [.. peers];
        }

        var pairs = new List<(MockPeer, MockPeer)>();
        for (int i = 0; i < all.Length; i++)
        {
            for (int j = i + 1; j < all.Length; j++)
            {
                pairs.Add((all[i], all[j]));
            }
        }

        return RunAsync(() => Task.WhenAll(pairs.Select(p => ConnectCoreAsync(p.Item1, p.Item2, cancellationToken))), null, cancellationToken);
    }

    private (MockPeer First, MockPeer Second) Ordered(PeerId a, PeerId b)
    {
        var pa = Find(a, nameof(a));
        var pb = Find(b, nameof(b));
        return ReferenceEquals(pa, pb) ? throw new ArgumentException("A peer cannot connect to itself.", nameof(b)) : (pa, pb);
    }

    private static async Task<IConnection> ConnectCoreAsync(MockPeer dialer, MockPeer dialed, CancellationToken cancellationToken)
    {
        // Known even without a link, so that the dial reaches the transport and is refused there.
        dialer.Network.Peerstore.AddAddresses(dialed.Id, [dialed.Address], AddressTtl.Permanent);

        // Subscribed before dialing, and merged with the state now, so no connection slips between.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var seen = dialed.Network.Events.OfType<Connected>()
            .Where(e => e.Connection.RemotePeer == dialer.Id)
            .Select(_ => Unit.Default)
            .Merge(Observable.Defer(() => dialed.Network.ConnectionsToPeer(dialer.Id).Count > 0
                ? Observable.Return(Unit.Default)
                : Observable.Empty<Unit>()))
            .FirstAsync()
            .ToTask(stop.Token);
        try
        {
            var connection = await dialer.Network.DialPeerAsync(dialed.Id, cancellationToken).ConfigureAwait(false);
            await seen.ConfigureAwait(false);
            return connection;
        }
        finally
        {
            // Ends the subscription when the dial failed.
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private static async Task DisconnectCoreAsync(MockPeer closer, MockPeer other, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var gone = other.Network.Events.OfType<Disconnected>()
            .Where(e => e.Connection.RemotePeer == closer.Id)
            .Select(_ => Unit.Default)
            .Merge(Observable.Return(Unit.Default))
            .Where(_ => other.Network.ConnectionsToPeer(closer.Id).Count == 0)
            .FirstAsync()
            .ToTask(stop.Token);
        try
        {
            await closer.Network.ClosePeerAsync(other.Id, cancellationToken).ConfigureAwait(false);
            await gone.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }
}
