using System.Net;
using System.Text.Json.Nodes;
using Rx.Network.PerfTool.Attacks;

namespace Rx.Network.PerfTool;

/// <summary>
/// <c>attack</c>: the attacks of issue #14 (the same code as tests/Rx.Network.Reliability.Tests'
/// ResourceAttackTests) against a listener child process, rxnet (<c>--rxnet rxnet.dll</c>) or
/// js-libp2p (<c>--js peer.mjs</c>), a fresh listener per attack; one JSON line per figure. Pass/fail
/// is the tests' business: this only measures, so that both implementations are measured in one run.
/// </summary>
/// <remarks>
/// Options: <c>--attacks window-fill,slowloris,churn,identify</c> (all by default), <c>--k 1,4,16</c>,
/// <c>--attacker 127.0.0.2</c>, <c>--rss-cap-mib 1536</c> (a window fill stops once the listener's RSS
/// passes idle plus this, so that js-libp2p's unbounded growth cannot take the machine down),
/// <c>--listener-log yes</c> (the last lines of each listener's stderr, on ours).
/// </remarks>
internal static class AttackProbe
{
    private const long MiB = 1024 * 1024;

    public static async Task<int> RunAsync(Options options)
    {
        string? rxnet = options.Text("rxnet", "") is { Length: > 0 } r ? r : null;
        string? js = options.Text("js", "") is { Length: > 0 } j ? j : null;
        if ((rxnet is null) == (js is null))
        {
            throw new ArgumentException("attack needs exactly one of --rxnet PATH/rxnet.dll and --js PATH/peer.mjs.");
        }

        var attacks = options.Text("attacks", "window-fill,slowloris,churn,identify").Split(',');
        var ks = options.Text("k", "1,4,16").Split(',').Select(int.Parse).ToArray();
        var attacker = IPAddress.Parse(options.Text("attacker", "127.0.0.2"));
        long cap = options.Long("rss-cap-mib", 1536) * MiB;
        logListener = options.Text("listener-log", "no") == "yes";
        using var run = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        Func<Task<ListenerProcess>> start = rxnet is not null ? () => ListenerProcess.StartRxnetAsync(rxnet) : () => ListenerProcess.StartJsAsync(js!);

        foreach (var attack in attacks)
        {
            switch (attack)
            {
                case "window-fill":
                    foreach (int k in ks)
                    {
                        await using var listener = await start();
                        var report = await WindowFillRun.RunAsync(listener, attacker, k, cap, 32 * MiB, TimeSpan.FromSeconds(30), run.Token);
                        Emit(listener, attack, new JsonObject
                        {
                            ["k"] = k,
                            ["streamsAccepted"] = report.Fill?.StreamsAccepted,
                            ["streamsRefused"] = report.Fill?.StreamsRefused,
                            ["connectionsRefused"] = report.Fill?.ConnectionsRefused,
                            ["mibSent"] = report.Fill is { } f ? Math.Round(f.BytesSent / (double)MiB, 1) : null,
                            ["stoppedAtCap"] = report.Fill is null,
                            ["idleRssMiB"] = report.IdleRss / MiB,
                            ["peakRssMiB"] = report.PeakRss / MiB,
                            ["idleHeapMiB"] = report.IdleHeap / MiB,
                            ["heapAfterMiB"] = report.HeapAfter / MiB,
                            ["rssAfterMiB"] = report.RssAfter / MiB,
                            ["recovered"] = report.Recovered,
                            ["recoverySeconds"] = Math.Round(report.RecoverySeconds, 1),
                            ["honestRounds"] = report.Rounds.Count,
                            ["honestOk"] = report.Rounds.Count(x => x.Ok),
                            ["pingP50Ms"] = Round(report.PingP50Ms),
                            ["pingMaxMs"] = Round(report.PingMaxMs),
                            ["echoMaxMs"] = Round(report.EchoMaxMs),
                            ["limitEvents"] = report.LimitEvents,
                        });
                    }

                    break;
                case "slowloris":
                {
                    await using var listener = await start();
                    var report = await SlowlorisRun.RunAsync(listener, attacker, 500, 10, run.Token);
                    Emit(listener, attack, new JsonObject
                    {
                        ["stalled"] = 500,
                        ["opened"] = report.Opened,
                        ["dropped"] = report.Dropped,
                        ["honestTries"] = report.Tries.Count,
                        ["honestOk"] = report.Succeeded,
                        ["firstError"] = report.Tries.FirstOrDefault(t => t is not null),
                        ["limitEvents"] = report.LimitEvents,
                    });
                    break;
                }

                case "churn":
                {
                    await using var listener = await start();
                    var report = await ChurnRun.RunAsync(listener, attacker, TimeSpan.FromSeconds(30), run.Token);
                    Emit(listener, attack, new JsonObject
                    {
                        ["upgraded"] = report.Upgraded,
                        ["refused"] = report.Refused,
                        ["honestAfterChurn"] = report.AfterChurn.Ok,
                        ["unnegotiatedOpened"] = report.StreamsOpened,
                        ["unnegotiatedEnded"] = report.StreamsEnded,
                        ["honestAfterStreams"] = report.AfterStreams.Ok,
                        ["descriptorsBefore"] = report.BaselineDescriptors,
                        ["descriptorsAfter"] = report.Descriptors,
                        ["limitEvents"] = report.LimitEvents,
                    });
                    break;
                }

                case "identify":
                {
                    await using var listener = await start();
                    var cpu = await IdentifyFlood.CompareAsync(listener, attacker, warmUp: 4, rounds: 5, connections: 8, run.Token);
                    foreach (var (content, perConnection) in cpu)
                    {
                        Emit(listener, attack, new JsonObject
                        {
                            ["content"] = content.ToString().ToLowerInvariant(),
                            ["cpuMsPerConnection"] = Round(perConnection.TotalMilliseconds),
                            ["cpuMsAboveHonest"] = Round((perConnection - cpu[IdentifyFlood.Content.Honest]).TotalMilliseconds),
                        });
                    }

                    break;
                }

                default:
                    throw new ArgumentException($"Unknown attack {attack}.");
            }
        }

        return 0;
    }

    private static double? Round(double value) => double.IsNaN(value) ? null : Math.Round(value, 2);

    private static bool logListener;

    private static void Emit(ListenerProcess listener, string attack, JsonObject figures)
    {
        if (logListener)
        {
            Console.Error.WriteLine(listener.StandardError);
        }

        var line = new JsonObject { ["impl"] = listener.Implementation, ["measure"] = "attack", ["attack"] = attack };
        foreach (var (key, value) in figures.ToList())
        {
            figures.Remove(key);
            line[key] = value;
        }

        Json.Emit(line);
    }
}
