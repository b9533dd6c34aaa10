using System.CommandLine;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Spectre.Console;

namespace Rx.Network.Cli;

/// <summary><c>rxnet ping ADDR</c> and <c>rxnet perf ADDR</c>: for people, with live output on a terminal.</summary>
internal static class HumanCommands
{
    public static Command Ping()
    {
        var address = new Argument<string>("address") { Description = "The peer's multiaddr, ending in /p2p/<peer id>." };
        var count = new Option<int>("--count", "-c") { Description = "Pings to send.", DefaultValueFactory = _ => 5 };
        var command = new Command("ping", "Ping a peer and print the round-trip times.") { address, count };
        command.SetAction((result, cancellationToken) => PingAsync(result.GetValue(address)!, result.GetValue(count), cancellationToken));
        return command;
    }

    public static Command Perf()
    {
        var address = new Argument<string>("address") { Description = "The peer's multiaddr, ending in /p2p/<peer id>." };
        var bytes = new Option<long>("--bytes") { Description = "Bytes each way.", DefaultValueFactory = _ => 64L * 1024 * 1024 };
        var command = new Command("perf", "Measure throughput to a peer with /perf/1.0.0.") { address, bytes };
        command.SetAction((result, cancellationToken) => PerfAsync(result.GetValue(address)!, result.GetValue(bytes), cancellationToken));
        return command;
    }

    private static async Task<int> PingAsync(string addressText, int count, CancellationToken cancellationToken)
    {
        if (!TryTarget(addressText, out var address, out var peer))
        {
            return 2;
        }

        await using var network = await new NetworkBuilder().StartAsync(cancellationToken);
        network.Peerstore.AddAddresses(peer, [address], AddressTtl.Temporary);
        var rtts = new List<double>();
        for (int i = 0; i < count; i++)
        {
            try
            {
                var rtt = await PingService.PingAsync(network, peer, cancellationToken: cancellationToken);
                rtts.Add(rtt.TotalMilliseconds);
                AnsiConsole.MarkupLine($"[green]pong[/] from {Markup.Escape(peer.ToString())}: time={rtt.TotalMilliseconds:0.###} ms");
            }
            catch (Exception e) when (e is IOException or WireProtocolViolationException)
            {
                AnsiConsole.MarkupLine($"[red]failed[/]: {Markup.Escape(e.Message)}");
                return 1;
            }
        }

        if (rtts.Count > 0)
        {
            AnsiConsole.MarkupLine($"{rtts.Count} pings: min {rtts.Min():0.###} / avg {rtts.Average():0.###} / max {rtts.Max():0.###} ms");
        }

        if (rtts.Count > 1)
        {
            // A new process's first ping also runs code for the first time: told apart from the rest.
            var settled = rtts.Skip(1).Order().ToList();
            AnsiConsole.MarkupLine($"first {rtts[0]:0.###} ms, settled {settled[(settled.Count - 1) / 2]:0.###} ms (median of the other {settled.Count})");
        }

        return 0;
    }

    private static async Task<int> PerfAsync(string addressText, long bytes, CancellationToken cancellationToken)
    {
        if (!TryTarget(addressText, out var address, out var peer))
        {
            return 2;
        }

        await using var network = await new NetworkBuilder().StartAsync(cancellationToken);
        network.Peerstore.AddAddresses(peer, [address], AddressTtl.Temporary);
        PerfResult result;
        try
        {
            if (AnsiConsole.Profile.Capabilities.Interactive)
            {
                result = await AnsiConsole.Progress().StartAsync(async context =>
                {
                    var task = context.AddTask($"perf {bytes:N0} bytes each way", maxValue: 2 * bytes);
                    return await PerfService.RunAsync(network, peer, bytes, bytes, new Progress<long>(done => task.Value = done), cancellationToken: cancellationToken);
                });
            }
            else
            {
                result = await PerfService.RunAsync(network, peer, bytes, bytes, cancellationToken: cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or WireProtocolViolationException)
        {
            AnsiConsole.MarkupLine($"[red]perf failed[/]: {Markup.Escape(e.Message)}");
            return 1;
        }

        var table = new Table().AddColumns("direction", "bytes", "seconds", "MB/s");
        table.AddRow("upload", $"{result.UploadBytes:N0}", $"{result.UploadTime.TotalSeconds:0.###}", $"{result.UploadMegabytesPerSecond:0.#}");
        table.AddRow("download", $"{result.DownloadBytes:N0}", $"{result.DownloadTime.TotalSeconds:0.###}", $"{result.DownloadMegabytesPerSecond:0.#}");
        AnsiConsole.Write(table);
        return 0;
    }

    private static bool TryTarget(string text, out Multiaddr address, out PeerId peer)
    {
        address = Multiaddr.Empty;
        peer = null!;
        if (!Multiaddr.TryParse(text, out var parsed) || parsed.PeerId is not { } id)
        {
            AnsiConsole.MarkupLine("[red]The address must be a multiaddr ending in /p2p/<peer id>.[/]");
            return false;
        }

        (address, peer) = (parsed, id);
        return true;
    }
}
