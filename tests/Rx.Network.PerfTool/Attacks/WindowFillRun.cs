using System.Diagnostics;
using System.Net;

namespace Rx.Network.PerfTool.Attacks;

/// <summary>What one window-fill run measured on the listener.</summary>
/// <param name="K">Attacking connections.</param>
/// <param name="Fill">What the attackers achieved; null when the RSS cap stopped them first.</param>
/// <param name="IdleRss">RSS before the attack (after one honest round).</param>
/// <param name="PeakRss">VmHWM after the attack.</param>
/// <param name="IdleHeap">Managed heap before, after a full collection (when the listener reports it; 0 otherwise).</param>
/// <param name="HeapAfter">The same once recovered or at the deadline (when reported; 0 otherwise).</param>
/// <param name="RssAfter">RSS once recovered or at the deadline.</param>
/// <param name="Recovered">The heap (when reported) or else the RSS came back within the allowance of idle before the deadline.</param>
/// <param name="RecoverySeconds">How long that took (the deadline when it did not).</param>
/// <param name="Rounds">The honest rounds made during the attack.</param>
/// <param name="LimitEvents">Limit events the listener printed (rxnet).</param>
internal sealed record WindowFillReport(
    int K,
    WindowFillResult? Fill,
    long IdleRss,
    long PeakRss,
    long IdleHeap,
    long HeapAfter,
    long RssAfter,
    bool Recovered,
    double RecoverySeconds,
    IReadOnlyList<HonestRound> Rounds,
    int LimitEvents)
{
    public double PingP50Ms => Percentile(Rounds.Where(r => r.Ok).SelectMany(r => r.Pings).Select(p => p.TotalMilliseconds), 0.5);

    public double PingMaxMs => Rounds.Where(r => r.Ok).SelectMany(r => r.Pings).Select(p => p.TotalMilliseconds).DefaultIfEmpty(double.NaN).Max();

    public double EchoMaxMs => Rounds.Where(r => r.Ok).Select(r => r.Echo.TotalMilliseconds).DefaultIfEmpty(double.NaN).Max();

    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }
}

/// <summary>
/// One window fill against a listener, measured as issue #14's acceptance says: idle RSS and heap,
/// the attack (<see cref="WindowFill"/>) held while an honest peer makes rounds every 2 s, the peak
/// RSS, then how long after the attackers leave the heap (or RSS) comes back within the allowance.
/// </summary>
internal static class WindowFillRun
{
    public static readonly TimeSpan HonestPeriod = TimeSpan.FromSeconds(2);

    /// <summary>Runs it.</summary>
    /// <param name="listener">The listener, idle.</param>
    /// <param name="attacker">The attackers' source address.</param>
    /// <param name="k">Attacking connections, 1,024 streams each.</param>
    /// <param name="rssCap">The attack stops when the listener's RSS passes idle plus this (it is then a failure anyway).</param>
    /// <param name="allowance">How close to idle the heap (rxnet) or RSS must come back.</param>
    /// <param name="deadline">How long after the attackers leave it may take.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static async Task<WindowFillReport> RunAsync(ListenerProcess listener, IPAddress attacker, int k, long rssCap, long allowance, TimeSpan deadline, CancellationToken cancellationToken)
    {
        bool rxnet = listener.ReportsHeap;
        var honest = await HonestPeer.StartAsync(listener.Peer, listener.Address).ConfigureAwait(false);
        await using (honest.ConfigureAwait(false))
        {
            var warmUp = await honest.RoundAsync(cancellationToken).ConfigureAwait(false);
            if (!warmUp.Ok)
            {
                throw new InvalidOperationException($"The honest peer failed before the attack: {warmUp.Error}");
            }

            long idleHeap = rxnet ? await listener.ManagedHeapAsync(collect: true, cancellationToken).ConfigureAwait(false) : 0;
            var idle = listener.Sample();
            using var stopHonest = new CancellationTokenSource();
            var honestRun = honest.RunAsync(HonestPeriod, stopHonest.Token);
            using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var stopWatching = new CancellationTokenSource();
            var watchdog = WatchRssAsync(listener, idle.RssBytes + rssCap, abort, stopWatching.Token);
            WindowFill? fill = null;
            try
            {
                fill = await WindowFill.RunAsync(listener.EndPoint, attacker, k, streamsPerConnection: 1024, concurrency: 64, abort.Token).ConfigureAwait(false);

                // Hold the windows full while the honest peer makes two more rounds.
                int before = honest.Rounds.Count;
                await PollAsync(() => honest.Rounds.Count >= before + 2, TimeSpan.FromSeconds(60), abort.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The watchdog stopped the attack: the peak says why.
            }
            finally
            {
                await stopHonest.CancelAsync().ConfigureAwait(false);
                await honestRun.ConfigureAwait(false);
                await stopWatching.CancelAsync().ConfigureAwait(false);
                await watchdog.ConfigureAwait(false);
            }

            var attacked = listener.Sample();
            var result = fill?.Result;
            if (fill is not null)
            {
                await fill.DisposeAsync().ConfigureAwait(false);
            }

            // The attackers left: wait (bounded) for the memory to come back.
            long heap = 0, rss = 0;
            bool recovered = false;
            long left = Stopwatch.GetTimestamp();
            while (true)
            {
                rss = listener.Sample().RssBytes;
                heap = rxnet ? await listener.ManagedHeapAsync(collect: true, cancellationToken).ConfigureAwait(false) : 0;
                recovered = rxnet ? heap <= idleHeap + allowance : rss <= idle.RssBytes + allowance;
                if (recovered || Stopwatch.GetElapsedTime(left) >= deadline)
                {
                    break;
                }

                await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
            }

            return new WindowFillReport(k, result, idle.RssBytes, attacked.PeakRssBytes, idleHeap, heap, rss, recovered, Stopwatch.GetElapsedTime(left).TotalSeconds, honest.Rounds, listener.LimitEventCount);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> at <paramref name="deadline"/>.</summary>
    public static async Task PollAsync(Func<bool> condition, TimeSpan deadline, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) >= deadline)
            {
                throw new TimeoutException($"Not reached within {deadline.TotalSeconds} s.");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Samples the listener's RSS every 100 ms; cancels <paramref name="abort"/> once it passes <paramref name="limit"/>.</summary>
    private static async Task WatchRssAsync(ListenerProcess listener, long limit, CancellationTokenSource abort, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (listener.Sample().RssBytes > limit)
                {
                    await abort.CancelAsync().ConfigureAwait(false);
                    return;
                }

                await Task.Delay(100, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
