using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Peerstore;

namespace Rx.Network.Cli;

/// <summary><c>rxnet dial ADDR --test …</c>: run checks against a peer, one JSON line each; exit 0 only if all passed.</summary>
internal static class DialCommand
{
    public static Command Create()
    {
        var address = new Argument<string>("address") { Description = "The peer's multiaddr, ending in /p2p/<peer id>." };
        var tests = new Option<string>("--test") { Description = "Comma-separated checks: ping, echo, streams, reset, sink, perf, identify.", DefaultValueFactory = _ => "ping" };
        var bytes = new Option<long>("--bytes") { Description = "Bytes for echo and sink, and each way for perf.", DefaultValueFactory = _ => 1024 * 1024 };
        var streams = new Option<int>("--streams") { Description = "Concurrent streams for the streams check.", DefaultValueFactory = _ => 16 };
        var streamBytes = new Option<int>("--stream-bytes") { Description = "Bytes per stream for the streams check.", DefaultValueFactory = _ => 16 * 1024 };
        var pings = new Option<int>("--pings") { Description = "Round trips of the ping check: the first (on a stream of its own) is reported apart from the median of the rest (on one more stream).", DefaultValueFactory = _ => 10 };
        var timeout = new Option<double>("--timeout") { Description = "Seconds each check may take.", DefaultValueFactory = _ => 60 };
        var key = new Option<string?>("--key") { Description = "A 32-byte Ed25519 seed in hex (64 digits)." };
        var security = CliNode.SecurityOption();
        var command = new Command("dial", "Dial a peer and run checks, printing one JSON line per check.") { address, tests, bytes, streams, streamBytes, pings, timeout, key, security };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(address)!,
            result.GetValue(tests)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            new CheckSettings(result.GetValue(bytes), result.GetValue(streams), result.GetValue(streamBytes), result.GetValue(pings), TimeSpan.FromSeconds(result.GetValue(timeout))),
            result.GetValue(key),
            result.GetValue(security),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string addressText, string[] checks, CheckSettings settings, string? keyHex, SecurityProtocol[]? security, CancellationToken cancellationToken)
    {
        Multiaddr address;
        PeerId peer;
        try
        {
            address = Multiaddr.Parse(addressText);
            peer = address.PeerId ?? throw new ArgumentException("The address must end in /p2p/<peer id>.");
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            JsonLines.Out(new JsonObject { ["check"] = "address", ["ok"] = false, ["error"] = e.Message });
            return 2;
        }

        using var key = CliNode.ParseKey(keyHex);
        var network = CliNode.Builder(key, security).Build();
        bool allPassed = true;
        await using (network)
        {
            using var log = CliNode.LogEvents(network);
            network.Peerstore.AddAddresses(peer, [address], AddressTtl.Temporary);
            foreach (var check in checks)
            {
                var result = await RunCheckAsync(network, peer, check, settings, cancellationToken);
                allPassed &= result["ok"]!.GetValue<bool>();
                JsonLines.Out(result);
            }
        }

        return allPassed ? 0 : 1;
    }

    private static async Task<JsonObject> RunCheckAsync(INetwork network, PeerId peer, string check, CheckSettings settings, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        var json = new JsonObject { ["check"] = check };
        try
        {
            var details = check switch
            {
                "ping" => await Checks.PingAsync(network, peer, settings.Pings, deadline.Token),
                "echo" => await Checks.EchoAsync(network, peer, settings.Bytes, deadline.Token),
                "streams" => await Checks.StreamsAsync(network, peer, settings.Streams, settings.StreamBytes, deadline.Token),
                "reset" => await Checks.ResetAsync(network, peer, deadline.Token),
                "sink" => await Checks.SinkAsync(network, peer, settings.Bytes, deadline.Token),
                "perf" => await Checks.PerfAsync(network, peer, settings.Bytes, deadline.Token),
                "identify" => await Checks.IdentifyAsync(network, peer, deadline.Token),
                _ => throw new ArgumentException($"Unknown check '{check}'."),
            };
            json["ok"] = true;
            foreach (var (name, value) in details)
            {
                json[name] = value?.DeepClone();
            }
        }
        catch (Exception e)
        {
            json["ok"] = false;
            json["error"] = deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                ? $"timed out after {settings.Timeout.TotalSeconds} s"
                : Describe(e);
        }

        return json;
    }

    /// <summary>The exception's type chain (outermost first) and message, e.g. <c>DialException &gt; PeerIdMismatchException: …</c>.</summary>
    private static string Describe(Exception e)
    {
        var types = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            types.Add(current.GetType().Name);
        }

        return $"{string.Join(" > ", types)}: {e.Message}";
    }

    private sealed record CheckSettings(long Bytes, int Streams, int StreamBytes, int Pings, TimeSpan Timeout);
}
