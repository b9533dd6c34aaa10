using System.Diagnostics;
using System.Globalization;
using System.Net;
using Rx.Network.Negotiation;
using Rx.Network.Peerstore;
using Rx.Network.PerfTool.Attacks;
using Rx.Network.Protocols;
using Xunit.Abstractions;

namespace Rx.Network.Reliability.Tests;

/// <summary>
/// The attacks of issue #14 against <c>rxnet listen</c> (a child process, default options) over
/// loopback: attackers connect from 127.0.0.2, the honest peer from 127.0.0.1. Memory is measured
/// by the kernel (/proc VmRSS, VmHWM) and by the listener itself (its managed heap after a full
/// collection); pass/fail is on memory, descriptors and work, never on wall-clock time (latencies
/// are only reported).
/// </summary>
public sealed class ResourceAttackTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const long PeakRssAllowance = 256 * MiB;
    private const long HeapAllowance = 32 * MiB;

    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HonestPeriod = TimeSpan.FromSeconds(2);

    private static string RxnetDll => Path.Combine(AppContext.BaseDirectory, "rxnet.dll");

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(16)]
    public async Task WindowFill_KConnectionsOf1024Streams_PeakRssBounded_HonestPeerServed_HeapReturns(int k)
    {
        using var test = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var listener = await ListenerProcess.StartRxnetAsync(RxnetDll);
        await using var honest = await HonestPeer.StartAsync(listener.Peer, listener.Address);
        var warmUp = await honest.RoundAsync(test.Token);
        Assert.True(warmUp.Ok, warmUp.Error);
        long idleHeap = await listener.ManagedHeapAsync(collect: true, test.Token);
        var idle = listener.Sample();

        using var stopHonest = new CancellationTokenSource();
        var honestRun = honest.RunAsync(HonestPeriod, stopHonest.Token);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(test.Token);
        using var stopWatching = new CancellationTokenSource();
        var watchdog = WatchRssAsync(listener, idle.RssBytes + PeakRssAllowance, abort, stopWatching.Token);
        long started = Stopwatch.GetTimestamp();
        WindowFill? fill = null;
        try
        {
            fill = await WindowFill.RunAsync(listener.EndPoint, Attacker, k, streamsPerConnection: 1024, concurrency: 64, abort.Token);

            // Hold the windows full while the honest peer makes two more rounds.
            int before = honest.Rounds.Count;
            await PollAsync(() => honest.Rounds.Count >= before + 2, TimeSpan.FromSeconds(60), abort.Token);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested && !test.IsCancellationRequested)
        {
            // The watchdog saw the RSS pass the allowance: the assertion below reports it.
        }
        finally
        {
            await stopHonest.CancelAsync();
            await honestRun;
            await stopWatching.CancelAsync();
            await watchdog;
        }

        var attacked = listener.Sample();
        var fillTime = Stopwatch.GetElapsedTime(started);
        var result = fill?.Result;
        if (fill is not null)
        {
            await fill.DisposeAsync();
        }

        // The attackers left: the heap should come back to within 32 MiB of idle.
        long heap = long.MaxValue;
        long left = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(left) < Deadline)
        {
            heap = await listener.ManagedHeapAsync(collect: true, test.Token);
            if (heap <= idleHeap + HeapAllowance)
            {
                break;
            }

            await Task.Delay(1000, test.Token);
        }

        var rounds = honest.Rounds;
        var pings = rounds.Where(r => r.Ok).Select(r => r.Ping.TotalMilliseconds).Order().ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"K={k}: {result}; fill+hold {fillTime.TotalSeconds:F1} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RSS idle {idle.RssBytes / MiB} MiB, peak {attacked.PeakRssBytes / MiB} MiB (+{(attacked.PeakRssBytes - idle.RssBytes) / MiB} MiB); heap idle {idleHeap / MiB} MiB, after {heap / MiB} MiB"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"honest rounds {rounds.Count} ({rounds.Count(r => r.Ok)} ok); ping p50 {Percentile(pings, 0.5):F2} ms, max {pings.DefaultIfEmpty().Max():F2} ms; echo 1 MiB max {rounds.Where(r => r.Ok).Select(r => r.Echo.TotalMilliseconds).DefaultIfEmpty().Max():F0} ms; limit events {listener.LimitEventCount}"));

        Assert.True(
            attacked.PeakRssBytes <= idle.RssBytes + PeakRssAllowance,
            $"Peak RSS {attacked.PeakRssBytes / MiB} MiB exceeds idle {idle.RssBytes / MiB} MiB + 256 MiB (attack: {result?.ToString() ?? "aborted by the watchdog"}).");
        Assert.NotNull(result);
        Assert.True(result.Connections + result.ConnectionsRefused == k, result.ToString());
        Assert.All(rounds, r => Assert.True(r.Ok, r.Error));
        Assert.True(rounds.Count >= 2, $"Only {rounds.Count} honest rounds ran during the attack.");
        Assert.True(heap <= idleHeap + HeapAllowance, $"The managed heap is {heap / MiB} MiB {Deadline.TotalSeconds} s after the attackers left; idle it was {idleHeap / MiB} MiB.");
    }

    [Fact]
    public async Task Slowloris_500StalledUpgradesFromOneAddress_HonestPeerConnectsOnEveryTry()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var listener = await ListenerProcess.StartRxnetAsync(RxnetDll);

        // Half a multistream header: the listener waits for the rest until its upgrade timeout.
        var stall = MultistreamMessage.Frame(MultistreamSelect.ProtocolId)[..8];
        await using var attack = Slowloris.Start(listener.EndPoint, Attacker, 500, stall);
        await PollAsync(() => attack.Opened >= 500, Deadline, test.Token);

        var tries = new List<string?>();
        for (int i = 0; i < 10; i++)
        {
            tries.Add(await HonestConnectAsync(listener, test.Token));
        }

        output.WriteLine($"slowloris: {attack.Opened} opened, {attack.Open} open, {attack.Dropped} dropped by the listener; honest tries {tries.Count(t => t is null)}/10; limit events {listener.LimitEventCount}");
        Assert.All(tries, error => Assert.Null(error));
    }

    [Fact]
    public async Task IdentityChurnAndUnnegotiatedStreams_Survived_HonestPeerServed_DescriptorsBackToBaseline()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var listener = await ListenerProcess.StartRxnetAsync(RxnetDll);
        await using var honest = await HonestPeer.StartAsync(listener.Peer, listener.Address);
        var warmUp = await honest.RoundAsync(test.Token);
        Assert.True(warmUp.Ok, warmUp.Error);
        // Descriptors that are not files: sockets, pipes, event fds. (Files come and go as the
        // runtime loads assemblies, e.g. for its first exception stack trace; they leak nothing.)
        int baseline = NonFiles(listener);

        var (upgraded, refused) = await IdentityChurn.RunAsync(listener.EndPoint, Attacker, 300, concurrency: 8, test.Token);
        var afterChurn = await honest.RoundAsync(test.Token);

        int ended;
        await using (var unnegotiated = await UnnegotiatedStreams.OpenAsync(listener.EndPoint, Attacker, 4, 256, test.Token))
        {
            // The listener resets streams that never negotiate (10 s by default).
            await PollAsync(() => unnegotiated.Ended == unnegotiated.Opened, Deadline, test.Token);
            ended = unnegotiated.Ended;
            Assert.Equal(1024, unnegotiated.Opened);
        }

        var afterStreams = await honest.RoundAsync(test.Token);
        int descriptors = int.MaxValue;
        long left = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(left) < Deadline && (descriptors = NonFiles(listener)) > baseline)
        {
            await Task.Delay(200, test.Token);
        }

        output.WriteLine($"churn: {upgraded} upgraded, {refused} refused; unnegotiated streams ended {ended}/1024; descriptors (not files) baseline {baseline}, after {descriptors}; limit events {listener.LimitEventCount}");
        Assert.True(afterChurn.Ok, afterChurn.Error);
        Assert.True(afterStreams.Ok, afterStreams.Error);
        Assert.True(upgraded > 0, "No attacker identity got through at all: the attack did not run.");
        Assert.Equal(1024, ended);
        Assert.True(
            descriptors <= baseline,
            $"{descriptors} descriptors (not files) open {Deadline.TotalSeconds} s after the attacks; {baseline} before: {string.Join(", ", listener.DescriptorTargets())}");
    }

    [Fact]
    public async Task IdentifyWithThousandsOfProtocolsOrAddresses_AtMost100MsOfListenerCpuPerConnection()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var listener = await ListenerProcess.StartRxnetAsync(RxnetDll);

        // Warm the listener up (JIT) with the same attack, unmeasured.
        await IdentifyFlood.MeasureAsync(listener, Attacker, IdentifyFlood.Content.Protocols, 2, test.Token);
        var honest = await IdentifyFlood.MeasureAsync(listener, Attacker, IdentifyFlood.Content.Honest, 8, test.Token);
        var protocols = await IdentifyFlood.MeasureAsync(listener, Attacker, IdentifyFlood.Content.Protocols, 8, test.Token);
        var addresses = await IdentifyFlood.MeasureAsync(listener, Attacker, IdentifyFlood.Content.Addresses, 8, test.Token);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"listener CPU per connection (handshake, identify answer and one push): honest {honest.CpuPerConnection.TotalMilliseconds:F1} ms, 11,500 protocols {protocols.CpuPerConnection.TotalMilliseconds:F1} ms, 5,000 addresses {addresses.CpuPerConnection.TotalMilliseconds:F1} ms"));
        Assert.Equal((8, 8), (protocols.Connections, protocols.PushesRead));
        Assert.Equal((8, 8), (addresses.Connections, addresses.PushesRead));
        Assert.InRange(protocols.CpuPerConnection, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
        Assert.InRange(addresses.CpuPerConnection, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
    }

    /// <summary>A fresh honest node connects and pings; null when it worked, else why not.</summary>
    private static async Task<string?> HonestConnectAsync(ListenerProcess listener, CancellationToken cancellationToken)
    {
        await using var node = await new NetworkBuilder().StartAsync(cancellationToken);
        node.Peerstore.AddAddresses(listener.Peer, [listener.Address], AddressTtl.Temporary);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            await node.DialPeerAsync(listener.Peer, timeout.Token);
            await PingService.PingAsync(node, listener.Peer, cancellationToken: timeout.Token);
            return null;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or TimeoutException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return $"{e.GetType().Name}: {e.Message}";
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
                    await abort.CancelAsync();
                    return;
                }

                await Task.Delay(100, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails at <paramref name="deadline"/>.</summary>
    private static async Task PollAsync(Func<bool> condition, TimeSpan deadline, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < deadline, $"Not reached within {deadline.TotalSeconds} s.");
            await Task.Delay(100, cancellationToken);
        }
    }

    private static int NonFiles(ListenerProcess listener) => listener.DescriptorTargets().Count(t => !t.StartsWith('/'));

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
