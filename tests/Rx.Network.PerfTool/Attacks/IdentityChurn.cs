using System.Net;
using Rx.Network.Negotiation;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>
/// Issue #14's identity churn: <c>count</c> connections from one address, each a fresh identity
/// with a real Noise handshake, each opening one echo stream, then vanishing (TCP reset).
/// </summary>
internal static class IdentityChurn
{
    /// <summary>Runs it; returns how many identities upgraded and how many the listener refused.</summary>
    public static async Task<(int Upgraded, int Refused)> RunAsync(IPEndPoint target, IPAddress source, int count, int concurrency, CancellationToken cancellationToken)
    {
        int upgraded = 0, refused = 0, next = 0;
        var proposal = MultistreamMessage.Frame(MultistreamSelect.ProtocolId, WindowFill.Echo);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                try
                {
                    var connection = await AttackConnection.ConnectAsync(target, source, cancellationToken).ConfigureAwait(false);
                    await using (connection.ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref upgraded);
                        await connection.OpenStreamAsync(proposal, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        })).ConfigureAwait(false);
        return (upgraded, refused);
    }
}
