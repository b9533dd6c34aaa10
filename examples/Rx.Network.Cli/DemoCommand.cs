using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Utf8 = System.Text.Encoding;
using Rx.Network.Mock;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Spectre.Console;

namespace Rx.Network.Cli;

/// <summary>
/// <c>rxnet demo</c>: a small local network in one process — five nodes over TCP loopback with
/// Noise and yamux — running ping, identify, echo, request/reply and perf between them, with a
/// live table of peers and a stream of events; plain lines when the output is not a terminal.
/// <c>--mock</c> runs the same on the mock network in virtual time: links of 20 ms and 50 MB/s,
/// every step driven by the mock's clock, so the figures are the links', exactly, every run.
/// </summary>
internal static class DemoCommand
{
    private const string UpperProtocol = "/rxnet/demo/upper/1.0.0";

    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "How many nodes to start (2-16).", DefaultValueFactory = _ => 5 };
        var mock = new Option<bool>("--mock") { Description = "Run on the in-memory mock network in virtual time instead of TCP loopback." };
        var command = new Command("demo", "Run a small local network and show what happens.") { nodes, mock };
        command.SetAction((result, cancellationToken) => RunAsync(Math.Clamp(result.GetValue(nodes), 2, 16), result.GetValue(mock), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int count, bool useMock, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(50));
        var watch = Stopwatch.StartNew();
        var demo = new DemoState();
        var networks = new List<INetwork>();
        var services = new List<IDisposable>();
        await using var mockNetwork = useMock
            ? new MockNetwork(new HistoricalScheduler(), new MockNetworkOptions { Seed = 1, DefaultLink = new LinkOptions { Latency = TimeSpan.FromMilliseconds(20), Bandwidth = 50_000_000 } })
            : null;
        var clock = mockNetwork?.TimeProvider;
        try
        {
            for (int i = 0; i < count; i++)
            {
                var network = mockNetwork?.GenPeer() ?? await new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync(deadline.Token);
                networks.Add(network);
                int index = i;
                services.Add(network.Events.Subscribe(e => demo.Record(index, e)));
                services.Add(network.SetStreamHandler(EchoProtocol.Id, EchoProtocol.ServeAsync));
                services.Add(new PerfService(network));
                services.Add(new RequestReplyService(network, UpperProtocol, (request, _) =>
                    Task.FromResult<ReadOnlyMemory<byte>>(Utf8.UTF8.GetBytes(Utf8.UTF8.GetString(request.Request.Span).ToUpperInvariant()))));
            }

            // Everyone knows everyone's address (mock peers: linked); each node dials the next one, in a ring.
            foreach (var a in networks)
            {
                foreach (var b in networks.Where(b => b != a))
                {
                    a.Peerstore.AddAddresses(b.LocalPeer, b.ListenAddresses, AddressTtl.Temporary);
                }
            }

            mockNetwork?.LinkAll();
            bool live = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

            // On the mock network each step runs in virtual time: started by the mock, which moves
            // its clock from one due event to the next until the step is done.
            var steps = Steps(networks, demo, clock, deadline.Token)
                .Select(step => mockNetwork is null ? step : () => mockNetwork.RunAsync(step))
                .ToList();
            var virtualStart = mockNetwork?.Now;
            if (live)
            {
                await AnsiConsole.Live(Render(networks, demo)).StartAsync(async context =>
                {
                    foreach (var step in steps)
                    {
                        await step();
                        context.UpdateTarget(Render(networks, demo));
                    }
                });
            }
            else
            {
                foreach (var step in steps)
                {
                    await step();
                }
            }

            PrintSummary(demo, watch.Elapsed, mockNetwork is null ? null : mockNetwork.Now - virtualStart);
            return 0;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or WireProtocolViolationException or TimeoutException)
        {
            AnsiConsole.MarkupLine($"[red]demo failed[/]: {Markup.Escape(e.Message)}");
            return 1;
        }
        finally
        {
            services.ForEach(s => s.Dispose());
            if (mockNetwork is null)
            {
                foreach (var network in networks)
                {
                    await network.DisposeAsync();
                }
            }
        }
    }

    private static List<Func<Task>> Steps(List<INetwork> nodes, DemoState demo, TimeProvider? clock, CancellationToken token)
    {
        var steps = new List<Func<Task>>();
        int n = nodes.Count;
        steps.Add(async () =>
        {
            await Task.WhenAll(Enumerable.Range(0, n).Select(i => nodes[i].DialPeerAsync(nodes[(i + 1) % n].LocalPeer, token)));
            demo.Say($"connected {n} nodes in a ring");
        });
        steps.Add(async () =>
        {
            var rtts = await Task.WhenAll(Enumerable.Range(0, n).Select(i => PingService.PingAsync(nodes[i], nodes[(i + 1) % n].LocalPeer, clock, token)));
            demo.Say($"ping: {n} round trips, average {rtts.Average(r => r.TotalMilliseconds):0.###} ms");
        });
        steps.Add(async () =>
        {
            var identify = IdentifyService.Of(nodes[0]) ?? throw new InvalidOperationException("identify is not running");
            var result = await identify.IdentifyAsync(nodes[0].ConnectionsToPeer(nodes[1].LocalPeer)[0], token);
            demo.Say($"identify: node 1 runs {result.AgentVersion} and serves {result.Protocols.Count} protocols");
        });
        steps.Add(async () =>
        {
            var stream = await nodes[0].NewStreamAsync(nodes[1].LocalPeer, [EchoProtocol.Id], token);
            await using (stream)
            {
                var payload = new byte[1 << 20];
                Random.Shared.NextBytes(payload);
                var sending = SendAsync();
                var echoed = await stream.Incoming.Aggregate(0L, (total, chunk) => total + chunk.Length).ToTask(token);
                await sending;
                demo.Say($"echo: {echoed:N0} of {payload.Length:N0} bytes came back");

                // Inline up to its first wait, then concurrently with the reading (no thread hop:
                // on the mock network, virtual time orders both).
                async Task SendAsync()
                {
                    await stream.WriteAsync(payload, token);
                    await stream.CloseWriteAsync(token);
                }
            }
        });
        steps.Add(async () =>
        {
            using var client = new RequestReplyService(nodes[2], UpperProtocol);
            var reply = await client.RequestAsync(nodes[3 % n].LocalPeer, Utf8.UTF8.GetBytes("hello, rx.network"), token);
            demo.Say($"request/reply: \"hello, rx.network\" -> \"{Utf8.UTF8.GetString(reply.Span)}\"");
        });
        steps.Add(async () =>
        {
            var result = await PerfService.RunAsync(nodes[0], nodes[1].LocalPeer, 16 << 20, 16 << 20, time: clock, cancellationToken: token);
            demo.Say($"perf: {result.UploadMegabytesPerSecond:0} MB/s up, {result.DownloadMegabytesPerSecond:0} MB/s down");
        });
        steps.Add(async () =>
        {
            await nodes[0].ClosePeerAsync(nodes[1].LocalPeer, token);
            demo.Say($"closed node 0 -> node 1: node 0 now sees node 1 as {nodes[0].Connectedness(nodes[1].LocalPeer)}");
        });
        return steps;
    }

    private static Rows Render(List<INetwork> nodes, DemoState demo)
    {
        var peers = new Table().Title("node 0's peers").AddColumns("peer", "connectedness", "connections", "latency");
        foreach (var status in nodes[0].PeerStatuses.Items.OrderBy(s => s.Peer))
        {
            var color = status.Connectedness == Connectedness.Connected ? "green" : "yellow";
            peers.AddRow(Short(status.Peer.ToString()), $"[{color}]{status.Connectedness}[/]", status.ConnectionCount.ToString(System.Globalization.CultureInfo.InvariantCulture), status.Latency is { } l ? $"{l.TotalMilliseconds:0.###} ms" : "-");
        }

        var events = new Rows(demo.RecentEvents().Select(line => new Markup(Markup.Escape(line))).ToArray());
        var steps = new Rows(demo.Lines().Select(line => new Markup($"[blue]•[/] {Markup.Escape(line)}")).ToArray());
        return new Rows(peers, new Panel(steps).Header("steps"), new Panel(events).Header("latest events"));
    }

    private static void PrintSummary(DemoState demo, TimeSpan elapsed, TimeSpan? virtualElapsed)
    {
        var counts = string.Join(", ", demo.EventCounts().Select(pair => $"{pair.Key} {pair.Value}"));
        string time = virtualElapsed is { } v
            ? $"{v.TotalSeconds:0.000} s of virtual time ({elapsed.TotalSeconds:0.0} s of wall time)"
            : $"{elapsed.TotalSeconds:0.0} s";
        Console.WriteLine($"summary: {demo.Lines().Length} steps passed in {time}; events: {counts}");
    }

    private static string Short(string id) => id.Length > 12 ? "…" + id[^8..] : id;

    /// <summary>What the demo shows: step lines, recent events, counts. Thread-safe.</summary>
    private sealed class DemoState
    {
        private readonly ConcurrentQueue<string> recent = new();
        private readonly ConcurrentDictionary<string, int> counts = new();
        private readonly List<string> lines = [];

        public void Record(int node, NetworkEvent e)
        {
            counts.AddOrUpdate(e.GetType().Name, 1, (_, c) => c + 1);
            recent.Enqueue($"node {node}: {Describe(e)}");
            while (recent.Count > 8 && recent.TryDequeue(out _))
            {
            }
        }

        public void Say(string line)
        {
            lock (lines)
            {
                lines.Add(line);
            }

            if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
            {
                Console.WriteLine(line);
            }
        }

        public string[] Lines()
        {
            lock (lines)
            {
                return lines.ToArray();
            }
        }

        public string[] RecentEvents() => recent.ToArray();

        public IEnumerable<KeyValuePair<string, int>> EventCounts() => counts.OrderBy(pair => pair.Key);

        private static string Describe(NetworkEvent e) => e switch
        {
            Connected c => $"connected {Short(c.Connection.RemotePeer.ToString())} ({c.Connection.Direction})",
            Disconnected d => $"disconnected {Short(d.Connection.RemotePeer.ToString())}",
            StreamOpened s => $"stream {s.Stream.Protocol} opened ({s.Stream.Direction})",
            StreamClosed s => $"stream {s.Stream.Protocol} closed{(s.Error is null ? "" : " with " + s.Error.GetType().Name)}",
            ListenStarted l => $"listening on {l.Address}",
            ListenClosed l => $"stopped listening on {l.Address}",
            _ => e.GetType().Name,
        };
    }
}
