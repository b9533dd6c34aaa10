using System.CommandLine;
using System.Text.Json.Nodes;
using Rx.Network.Identity;

namespace Rx.Network.Cli;

/// <summary><c>rxnet id [--key HEX64]</c>: prints the peer ID (of the key, or of a fresh one) as JSON.</summary>
internal static class IdCommand
{
    public static Command Create()
    {
        var key = new Option<string?>("--key") { Description = "A 32-byte Ed25519 seed in hex (64 digits)." };
        var command = new Command("id", "Print the peer ID of a key as JSON.") { key };
        command.SetAction(result =>
        {
            using var privateKey = CliNode.ParseKey(result.GetValue(key));
            var peer = PeerId.FromPublicKey(privateKey.PublicKey);
            JsonLines.Out(new JsonObject
            {
                ["peerId"] = peer.ToString(),
                ["cid"] = peer.ToCidString(),
                ["publicKey"] = Convert.ToHexStringLower(privateKey.PublicKey.ToProtobuf()),
            });
            return 0;
        });
        return command;
    }
}
