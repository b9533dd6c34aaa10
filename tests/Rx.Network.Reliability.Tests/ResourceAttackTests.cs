using System.Globalization;
using System.Net;
using Rx.Network.PerfTool.Attacks;
using Xunit.Abstractions;

namespace Rx.Network.Reliability.Tests;

/// <summary>
/// The attacks of issue #14 against <c>rxnet listen</c> (a child process, default options) over
/// loopback: attackers connect from 127.0.0.2, the honest peer from 127.0.0.1. Memory is measured
/// by the kernel (/proc VmRSS, VmHWM) and by the listener itself (its managed heap after a full
/// collection); pass/fail is on memory, descriptors, successes and work, never on wall-clock time
/// (latencies are only reported). The same attacks run against js-libp2p with
/// <c>tests/perf/attack.sh</c>.
/// </summary>
public sealed class ResourceAttackTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const long PeakRssAllowance = 256 * MiB;
    private const long HeapAllowance = 32 * MiB;

    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static string RxnetDll => Path.Combine(AppContext.BaseDirectory, "rxnet.dll");

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(16)]
    public async Task WindowFill_KConnectionsOf1024Streams_PeakRssBounded_HonestPeerServed_HeapReturns(int k)
    {
        using var test = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var listener = await ListenerProcess.StartRxnetAsync(RxnetDll);

        // The watchdog stops the attack a little past the allowance: enough to fail, not to hurt the machine.
        var report = await WindowFillRun.RunAsync(listener, Attacker, k, PeakRssAllowance + (16 * MiB), HeapAllowance, Deadline, test.Token);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"K={k}: {report.Fill?.ToString() ?? "stopped by the RSS watchdog"}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RSS idle {report.IdleRss / MiB} MiB, peak {report.PeakRss / MiB} MiB (+{(report.PeakRss - report.IdleRss) / MiB} MiB); heap idle {report.IdleHeap / MiB} MiB, {report.HeapAfter / MiB} MiB {report.RecoverySeconds:F0} s after the attackers left"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"honest rounds {report.Rounds.Count} ({report.Rounds.Count(r => r.Ok)} ok); ping p50 {report.PingP50Ms:F2} ms, max {report.PingMaxMs:F2} ms; 1 MiB echo max {report.EchoMaxMs:F0} ms; limit events {report.LimitEvents}"));
        Assert.True(
            report.PeakRss <= report.IdleRss + PeakRssAllowance,
            $"Peak RSS {report.PeakRss / MiB} MiB exceeds idle {report.IdleRss / MiB} MiB + 256 MiB ({report.Fill?.ToString() ?? "the attack was stopped by the watchdog"}).");
        Assert.NotNull(report.Fill);
        Assert.Equal(k, report.Fill.Connections + report.Fill.ConnectionsRefused);
        Assert.True(report.Rounds.Count >= 2, $"Only {report.Rounds.Count} honest rounds ran during the attack.");
        Assert.All(report.Rounds, r => Assert.True(r.Ok, r.Error));
        Assert.True(report.Recovered, $"The managed heap is {report.HeapAfter / MiB} MiB {Deadline.TotalSeconds} s after the attackers left; idle it was {report.IdleHeap / MiB} MiB.");
    }

    [Fact]
    public async Task Slowloris_500StalledUpgradesFromOneAddress_HonestPeerConnectsOnEveryTry()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var listener = await ListenerProcess.StartRxnetAsync(RxnetDll);

        var report = await SlowlorisRun.RunAsync(listener, Attacker, 500, tries: 10, test.Token);

        output.WriteLine($"slowloris: {report.Opened} stalled upgrades opened, {report.Dropped} dropped by the listener; honest tries {report.Succeeded}/10; limit events {report.LimitEvents}");
        Assert.All(report.Tries, error => Assert.Null(error));
    }

    [Fact]
    public async Task IdentityChurnAndUnnegotiatedStreams_Survived_HonestPeerServed_DescriptorsBackToBaseline()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var listener = await ListenerProcess.StartRxnetAsync(RxnetDll);

        var report = await ChurnRun.RunAsync(listener, Attacker, Deadline, test.Token);

        output.WriteLine($"churn: {report.Upgraded} upgraded, {report.Refused} refused; unnegotiated streams ended {report.StreamsEnded}/{report.StreamsOpened}; descriptors (not files) {report.BaselineDescriptors} before, {report.Descriptors} after; limit events {report.LimitEvents}");
        Assert.True(report.AfterChurn.Ok, report.AfterChurn.Error);
        Assert.True(report.AfterStreams.Ok, report.AfterStreams.Error);
        Assert.True(report.Upgraded > 0, "No attacker identity got through at all: the attack did not run.");
        Assert.Equal(report.StreamsOpened, report.StreamsEnded);
        Assert.True(report.Descriptors <= report.BaselineDescriptors, $"{report.Descriptors} descriptors (not files) {Deadline.TotalSeconds} s after the attacks; {report.BaselineDescriptors} before: {string.Join(", ", listener.DescriptorTargets())}");
    }

    [Fact]
    public async Task IdentifyWithThousandsOfProtocolsOrAddresses_CostsLittleMoreListenerCpuThanAnHonestOne()
    {
        using var test = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var listener = await ListenerProcess.StartRxnetAsync(RxnetDll);

        var cpu = await IdentifyFlood.CompareAsync(listener, Attacker, warmUp: 4, rounds: 3, connections: 6, test.Token);

        var honest = cpu[IdentifyFlood.Content.Honest];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"listener CPU per connection (handshake, identify answer, one push; median of 3 rounds of 6): honest {honest.TotalMilliseconds:F1} ms, 11,500 protocols {cpu[IdentifyFlood.Content.Protocols].TotalMilliseconds:F1} ms, 5,000 addresses {cpu[IdentifyFlood.Content.Addresses].TotalMilliseconds:F1} ms"));

        // Issue #14 measured 190-415 ms per connection for these before the bounds, 6-35 ms for an
        // honest identify. CPU time inflates on a loaded machine, the honest baseline with it, so
        // the assertion is on what the attack adds to it in the same run, interleaved.
        Assert.InRange(cpu[IdentifyFlood.Content.Protocols] - honest, TimeSpan.MinValue, TimeSpan.FromMilliseconds(50));
        Assert.InRange(cpu[IdentifyFlood.Content.Addresses] - honest, TimeSpan.MinValue, TimeSpan.FromMilliseconds(50));
    }
}
