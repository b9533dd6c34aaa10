using System.Diagnostics;
using System.Net;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>What one churn run saw.</summary>
/// <param name="Upgraded">Attacker identities that got through the upgrade.</param>
/// <param name="Refused">Those the listener refused.</param>
/// <param name="AfterChurn">The honest round after the churn.</param>
/// <param name="StreamsOpened">Unnegotiated streams opened.</param>
/// <param name="StreamsEnded">Of those, the ones the listener reset (or closed with their connection) before the deadline.</param>
/// <param name="AfterStreams">The honest round after the unnegotiated streams.</param>
/// <param name="BaselineDescriptors">Descriptors that are not files (sockets, pipes, event fds) before.</param>
/// <param name="Descriptors">The same after, once back to the baseline or at the deadline.</param>
/// <param name="LimitEvents">Limit events the listener printed (rxnet).</param>
internal sealed record ChurnReport(int Upgraded, int Refused, HonestRound AfterChurn, int StreamsOpened, int StreamsEnded, HonestRound AfterStreams, int BaselineDescriptors, int Descriptors, int LimitEvents);

/// <summary>
/// Issue #14's identity churn (300 fresh identities from one address) then unnegotiated streams
/// (4 connections × 256 streams that never propose a protocol), an honest peer served after each,
/// and the listener's descriptors compared with the baseline.
/// </summary>
/// <remarks>
/// Only descriptors that are not files are compared: the runtime opens files as it loads
/// assemblies (its first exception stack trace loads several), which leaks nothing.
/// </remarks>
internal static class ChurnRun
{
    public static async Task<ChurnReport> RunAsync(ListenerProcess listener, IPAddress attacker, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var honest = await HonestPeer.StartAsync(listener.Peer, listener.Address).ConfigureAwait(false);
        await using (honest.ConfigureAwait(false))
        {
            var warmUp = await honest.RoundAsync(cancellationToken).ConfigureAwait(false);
            if (!warmUp.Ok)
            {
                throw new InvalidOperationException($"The honest peer failed before the attack: {warmUp.Error}");
            }

            int baseline = NonFiles(listener);
            var (upgraded, refused) = await IdentityChurn.RunAsync(listener.EndPoint, attacker, 300, concurrency: 8, cancellationToken).ConfigureAwait(false);
            var afterChurn = await honest.RoundAsync(cancellationToken).ConfigureAwait(false);

            int opened, ended;
            var unnegotiated = await UnnegotiatedStreams.OpenAsync(listener.EndPoint, attacker, 4, 256, cancellationToken).ConfigureAwait(false);
            await using (unnegotiated.ConfigureAwait(false))
            {
                try
                {
                    await WindowFillRun.PollAsync(() => unnegotiated.Ended == unnegotiated.Opened, deadline, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Reported through StreamsEnded.
                }

                (opened, ended) = (unnegotiated.Opened, unnegotiated.Ended);
            }

            var afterStreams = await honest.RoundAsync(cancellationToken).ConfigureAwait(false);
            int descriptors;
            long left = Stopwatch.GetTimestamp();
            while ((descriptors = NonFiles(listener)) > baseline && Stopwatch.GetElapsedTime(left) < deadline)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }

            return new ChurnReport(upgraded, refused, afterChurn, opened, ended, afterStreams, baseline, descriptors, listener.LimitEventCount);
        }
    }

    private static int NonFiles(ListenerProcess listener) => listener.DescriptorTargets().Count(t => !t.StartsWith('/'));
}
