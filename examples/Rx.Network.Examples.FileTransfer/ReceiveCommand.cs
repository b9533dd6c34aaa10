using System.CommandLine;
using System.Text.Json.Nodes;
using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Examples.FileTransfer;

/// <summary><c>filetransfer receive --dir DIR</c>: store incoming files until SIGINT/SIGTERM or the end of standard input.</summary>
internal static class ReceiveCommand
{
    public static Command Create()
    {
        var directory = new Option<string>("--dir") { Description = "Where received files go (created if missing).", Required = true };
        var listen = new Option<string>("--listen") { Description = "The address to listen on.", DefaultValueFactory = _ => "/ip4/127.0.0.1/tcp/0" };
        var maxSize = new Option<long>("--max-size") { Description = "The largest file accepted, in bytes.", DefaultValueFactory = _ => FileReceiver.DefaultMaxFileSize };
        var command = new Command("receive", "Receive files; print one JSON line with our addresses once listening, then one line per transfer.")
        {
            directory, listen, maxSize,
        };
        command.SetAction((result, cancellationToken) =>
            RunAsync(result.GetValue(directory)!, result.GetValue(listen)!, result.GetValue(maxSize), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string directory, string listenText, long maxSize, CancellationToken cancellationToken)
    {
        if (!Multiaddr.TryParse(listenText, out var listenAddress))
        {
            Console.Error.WriteLine($"not a multiaddr: {listenText}");
            return 2;
        }

        if (maxSize < 0)
        {
            Console.Error.WriteLine("--max-size must not be negative");
            return 2;
        }

        await using var network = await new NetworkBuilder().ListenOn(listenAddress).StartAsync(cancellationToken).ConfigureAwait(false);
        using var receiver = new FileReceiver(network, directory, maxSize);
        using var log = receiver.Transfers.Subscribe(Print);

        var addresses = network.ListenAddresses.Select(a => a.WithPeerId(network.LocalPeer).ToString()).ToArray();
        Console.WriteLine(new JsonObject
        {
            ["peerId"] = network.LocalPeer.ToString(),
            ["addrs"] = new JsonArray(addresses.Select(a => (JsonNode)a).ToArray()),
        }.ToJsonString());
        Console.WriteLine($"* receiving into {receiver.Directory}: filetransfer send FILE --to {addresses[0]}");

        // Run until SIGINT/SIGTERM (the token) or until standard input ends, so a parent process
        // that goes away never leaves a receiver behind.
        var inputEnded = Task.Run(
            () =>
            {
                while (Console.In.Read() != -1)
                {
                }
            },
            CancellationToken.None);
        await Task.WhenAny(inputEnded, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        return 0;
    }

    private static void Print(TransferResult result)
    {
        var from = ShortId(result.Peer);
        Console.WriteLine(result.Succeeded
            ? $"received '{Printable.Of(result.Name)}' ({result.Size:N0} bytes, SHA-256 verified) from {from}: {result.Path}"
            : $"failed '{Printable.Of(result.Name)}' from {from}: {Printable.Of(result.Error!)}");
    }

    private static string ShortId(PeerId peer) => peer.ToString()[^6..];
}
