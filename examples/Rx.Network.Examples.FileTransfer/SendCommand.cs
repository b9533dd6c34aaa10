using System.CommandLine;
using Rx.Network.Addressing;
using Rx.Network.Peerstore;
using Spectre.Console;

namespace Rx.Network.Examples.FileTransfer;

/// <summary><c>filetransfer send FILE --to ADDR</c>: exit 0 only if the receiver stored the file and verified its SHA-256.</summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "The file to send." };
        var to = new Option<string>("--to") { Description = "The receiver's multiaddr, ending in /p2p/<peer id> (as `filetransfer receive` prints it).", Required = true };
        var command = new Command("send", "Send a file; show progress; report whether the receiver verified it.") { file, to };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(file)!, result.GetValue(to)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo file, string addressText, CancellationToken cancellationToken)
    {
        if (!Multiaddr.TryParse(addressText, out var address) || address.PeerId is not { } peer)
        {
            Console.Error.WriteLine("--to must be a multiaddr ending in /p2p/<peer id>");
            return 2;
        }

        if (!file.Exists)
        {
            Console.Error.WriteLine($"no such file: {file.FullName}");
            return 2;
        }

        try
        {
            await using var network = await new NetworkBuilder().StartAsync(cancellationToken).ConfigureAwait(false);
            network.Peerstore.AddAddresses(peer, [address], AddressTtl.Temporary);
            var header = await FileHeader.FromFileAsync(file.FullName, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"sending {header} to {peer}");
            var content = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (content.ConfigureAwait(false))
            {
                var confirmation = await (IsTerminal()
                    ? SendWithBarAsync(network, header, content, peer, cancellationToken)
                    : FileSender.SendAsync(network, peer, header, content, new PlainProgress(header.Size), cancellationToken)).ConfigureAwait(false);
                Console.WriteLine($"ok: {confirmation}");
                return 0;
            }
        }
        catch (Exception e) when (e is FileTransferException or DialException or NegotiationException or WireProtocolViolationException or IOException or UnauthorizedAccessException)
        {
            Console.WriteLine($"failed: {e.Message}");
            return 1;
        }
    }

    private static bool IsTerminal() => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    private static Task<string> SendWithBarAsync(INetwork network, FileHeader header, Stream content, Identity.PeerId peer, CancellationToken cancellationToken) =>
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                // A zero-length file still gets a bar that fills.
                var task = context.AddTask(Markup.Escape(header.Name), maxValue: Math.Max(1, header.Size));
                var result = await FileSender.SendAsync(network, peer, header, content, new Reporter(sent => task.Value = sent), cancellationToken).ConfigureAwait(false);
                task.Value = task.MaxValue;
                return result;
            });

    /// <summary>Reports synchronously, in order; <see cref="Progress{T}"/> would post reports to the thread pool, where they can overtake each other.</summary>
    private sealed class Reporter(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <summary>Progress for logs and pipes: one line at every tenth of the file.</summary>
    private sealed class PlainProgress(long total) : IProgress<long>
    {
        private int lastTenth;

        public void Report(long value)
        {
            int tenth = total == 0 ? 10 : (int)(value * 10 / total);
            if (tenth > lastTenth)
            {
                lastTenth = tenth;
                Console.WriteLine($"sent {Math.Min(tenth, 10) * 10}% ({value:N0} of {total:N0} bytes)");
            }
        }
    }
}
