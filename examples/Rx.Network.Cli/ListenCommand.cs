using System.CommandLine;
using System.Text.Json.Nodes;
using Rx.Network.Addressing;
using Rx.Network.Protocols;

namespace Rx.Network.Cli;

/// <summary><c>rxnet listen</c>: serve ping, echo, sink and reset until SIGINT/SIGTERM or the end of standard input.</summary>
internal static class ListenCommand
{
    public static Command Create()
    {
        var listen = new Option<string[]>("--listen")
        {
            Description = "An address to listen on; repeat it for several (e.g. /ip4/127.0.0.1/tcp/0 and /ip4/127.0.0.1/tcp/0/ws).",
            DefaultValueFactory = _ => ["/ip4/127.0.0.1/tcp/0"],
        };
        var key = new Option<string?>("--key") { Description = "A 32-byte Ed25519 seed in hex (64 digits), for a reproducible peer ID." };
        var security = CliNode.SecurityOption();
        var command = new Command("listen", "Listen and serve /ipfs/ping/1.0.0, /ipfs/id/1.0.0, /echo/1.0.0, /sink/1.0.0, /perf/1.0.0 and /reset/1.0.0; print one JSON line once listening.") { listen, key, security };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(listen)!, result.GetValue(key), result.GetValue(security), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string[] listen, string? keyHex, SecurityProtocol[]? security, CancellationToken cancellationToken)
    {
        using var key = CliNode.ParseKey(keyHex);
        var network = CliNode.Builder(key, security).Build();
        await using (network)
        {
            using var log = CliNode.LogEvents(network);
            using var echo = network.SetStreamHandler(EchoProtocol.Id, EchoProtocol.ServeAsync);
            using var reset = network.SetStreamHandler(ResetProtocol.Id, ResetProtocol.ServeAsync);
            using var sink = network.SetStreamHandler(SinkProtocol.Id, SinkProtocol.ServeAsync);
            using var perf = new PerfService(network);
            await network.ListenAsync(listen.Select(Multiaddr.Parse).ToArray(), cancellationToken);

            var addrs = new JsonArray(network.ListenAddresses.Select(a => (JsonNode)a.WithPeerId(network.LocalPeer).ToString()).ToArray());
            JsonLines.Out(new JsonObject { ["peerId"] = network.LocalPeer.ToString(), ["addrs"] = addrs });
            using var limits = LimitEvents.Print(network);

            // Run until SIGINT/SIGTERM (System.CommandLine cancels the token) or until standard
            // input ends, so a parent process that dies never leaves this node behind; meanwhile
            // stdin takes the `stats` and `gc` commands.
            var stdinClosed = Task.Run(ListenConsole.Run, CancellationToken.None);
            await Task.WhenAny(stdinClosed, Task.Delay(Timeout.Infinite, cancellationToken));
        }

        return 0;
    }
}
