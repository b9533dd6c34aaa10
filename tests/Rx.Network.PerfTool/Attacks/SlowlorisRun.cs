using System.Net;
using Rx.Network.Negotiation;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>What one slowloris run saw.</summary>
/// <param name="Opened">Stalled connections the attackers opened (reopened ones included).</param>
/// <param name="Dropped">Of those, the ones the listener dropped during the run.</param>
/// <param name="Tries">Each honest try: null when it connected and pinged, else why not.</param>
/// <param name="LimitEvents">Limit events the listener printed (rxnet).</param>
internal sealed record SlowlorisReport(int Opened, int Dropped, IReadOnlyList<string?> Tries, int LimitEvents)
{
    public int Succeeded => Tries.Count(t => t is null);
}

/// <summary>
/// Issue #14's slowloris, measured: <c>count</c> upgrades stalled from one address (half a
/// multistream header each, reopened when dropped) while fresh honest nodes try to connect and ping.
/// </summary>
internal static class SlowlorisRun
{
    public static async Task<SlowlorisReport> RunAsync(ListenerProcess listener, IPAddress attacker, int count, int tries, CancellationToken cancellationToken)
    {
        var stall = MultistreamMessage.Frame(MultistreamSelect.ProtocolId)[..8];
        var attack = Slowloris.Start(listener.EndPoint, attacker, count, stall);
        await using (attack.ConfigureAwait(false))
        {
            await WindowFillRun.PollAsync(() => attack.Opened >= count, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            var results = new List<string?>();
            for (int i = 0; i < tries; i++)
            {
                results.Add(await HonestConnectAsync(listener, cancellationToken).ConfigureAwait(false));
            }

            return new SlowlorisReport(attack.Opened, attack.Dropped, results, listener.LimitEventCount);
        }
    }

    /// <summary>A fresh honest node connects and pings; null when it worked, else why not.</summary>
    private static async Task<string?> HonestConnectAsync(ListenerProcess listener, CancellationToken cancellationToken)
    {
        var node = await new NetworkBuilder().StartAsync(cancellationToken).ConfigureAwait(false);
        await using (node.ConfigureAwait(false))
        {
            node.Peerstore.AddAddresses(listener.Peer, [listener.Address], AddressTtl.Temporary);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                await node.DialPeerAsync(listener.Peer, timeout.Token).ConfigureAwait(false);
                await PingService.PingAsync(node, listener.Peer, cancellationToken: timeout.Token).ConfigureAwait(false);
                return null;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or TimeoutException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return $"{e.GetType().Name}: {e.Message}";
            }
        }
    }
}
