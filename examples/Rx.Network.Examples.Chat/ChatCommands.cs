using System.CommandLine;
using System.Text.Json.Nodes;
using Rx.Network.Addressing;
using Rx.Network.Peerstore;

namespace Rx.Network.Examples.Chat;

/// <summary><c>chat listen</c> and <c>chat connect ADDR</c>.</summary>
internal static class ChatCommands
{
    public static Command Listen()
    {
        var listen = new Option<string>("--listen") { Description = "The address to listen on.", DefaultValueFactory = _ => "/ip4/127.0.0.1/tcp/0" };
        var command = new Command("listen", "Wait for a peer to chat with; print one JSON line with our addresses once listening.") { listen };
        command.SetAction((result, cancellationToken) => ListenAsync(result.GetValue(listen)!, cancellationToken));
        return command;
    }

    public static Command Connect()
    {
        var address = new Argument<string>("address") { Description = "The peer's multiaddr, ending in /p2p/<peer id> (as `chat listen` prints it)." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the connection.", DefaultValueFactory = _ => 30 };
        var command = new Command("connect", "Chat with the peer at ADDR.") { address, timeout };
        command.SetAction((result, cancellationToken) => ConnectAsync(result.GetValue(address)!, TimeSpan.FromSeconds(result.GetValue(timeout)), cancellationToken));
        return command;
    }

    private static async Task<int> ListenAsync(string listenText, CancellationToken cancellationToken)
    {
        if (!Multiaddr.TryParse(listenText, out var listenAddress))
        {
            Console.Error.WriteLine($"* not a multiaddr: {listenText}");
            return 2;
        }

        var input = ConsoleLines.Start(Console.In);
        try
        {
            await using var network = await new NetworkBuilder().ListenOn(listenAddress).StartAsync(cancellationToken).ConfigureAwait(false);

            // Accept before announcing: whoever reads the address may connect at once.
            var accepting = ChatSession.AcceptAsync(network, cancellationToken);
            var addresses = network.ListenAddresses.Select(a => a.WithPeerId(network.LocalPeer).ToString()).ToArray();
            Console.WriteLine(new JsonObject
            {
                ["peerId"] = network.LocalPeer.ToString(),
                ["addrs"] = new JsonArray(addresses.Select(a => (JsonNode)a).ToArray()),
            }.ToJsonString());
            Console.WriteLine($"* waiting for a peer: chat connect {addresses[0]}");

            // Input that ends before anyone joined (and left no line to send) ends the program.
            if (await Task.WhenAny(accepting, input.Completion).ConfigureAwait(false) != accepting)
            {
                Console.WriteLine("* input ended before anyone joined");
                return 0;
            }

            var session = await accepting.ConfigureAwait(false);
            return await Conversation.RunAsync(session, input, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.WriteLine("* bye");
            return 0;
        }
    }

    private static async Task<int> ConnectAsync(string addressText, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!Multiaddr.TryParse(addressText, out var address) || address.PeerId is not { } peer)
        {
            Console.Error.WriteLine("* the address must be a multiaddr ending in /p2p/<peer id>");
            return 2;
        }

        var input = ConsoleLines.Start(Console.In);
        try
        {
            await using var network = await new NetworkBuilder().StartAsync(cancellationToken).ConfigureAwait(false);
            network.Peerstore.AddAddresses(peer, [address], AddressTtl.Temporary);
            ChatSession session;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(timeout);
                try
                {
                    session = await ChatSession.ConnectAsync(network, peer, deadline.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is DialException or NegotiationException or IOException
                    || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    Console.WriteLine($"* could not connect to {ChatMessage.ShortId(peer)}: {(e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : e.Message)}");
                    return 1;
                }
            }

            return await Conversation.RunAsync(session, input, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.WriteLine("* bye");
            return 0;
        }
    }
}
