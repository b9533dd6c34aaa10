using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Google.Protobuf;
using Rx.Network.Encoding;
using Rx.Network.Identity;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Proto = Rx.Network.Encoding.Proto;

namespace Rx.Network.Tests.Protocols;

/// <summary>Two real networks over TCP loopback, and hand-made identify peers that misbehave.</summary>
internal static class IdentifyTestKit
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public const string Custom = "/custom/1.0.0";

    public static Task<INetwork> StartAsync(Func<NetworkBuilder, NetworkBuilder>? configure = null)
    {
        var builder = new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0");
        return (configure?.Invoke(builder) ?? builder).StartAsync();
    }

    /// <summary><paramref name="from"/> dials <paramref name="to"/> at its listen addresses.</summary>
    public static async Task<IConnection> ConnectAsync(INetwork from, INetwork to)
    {
        from.Peerstore.AddAddresses(to.LocalPeer, to.ListenAddresses, AddressTtl.Temporary);
        return await from.DialPeerAsync(to.LocalPeer).WaitAsync(Wait);
    }

    /// <summary>The service the builder started on <paramref name="network"/>.</summary>
    public static IdentifyService Service(INetwork network) =>
        IdentifyService.Of(network) ?? throw new InvalidOperationException("No identify service runs on this network.");

    /// <summary>Starts waiting (before the action that causes it) for the first result matching <paramref name="predicate"/>.</summary>
    public static Task<IdentifyResult> NextResult(INetwork network, Func<IdentifyResult, bool> predicate) =>
        Service(network).Results.Where(predicate).FirstAsync().ToTask().WaitAsync(Wait);

    /// <summary>A handler that writes <paramref name="bytes"/> raw, then closes the stream.</summary>
    public static Func<IStream, Task> Writes(byte[] bytes) => async stream => await stream.WriteAsync(bytes);

    /// <summary>One length-prefixed Identify message.</summary>
    public static byte[] Framed(Proto.Identify message) => LengthPrefixed.Frame(message.ToByteArray());

    /// <summary>An identify message claiming <paramref name="key"/> and a few recognisable fields.</summary>
    public static Proto.Identify Message(PublicKey? key, string agent = "liar/1.0", params string[] protocols)
    {
        var message = new Proto.Identify { AgentVersion = agent, ProtocolVersion = "ipfs/0.1.0" };
        if (key is not null)
        {
            message.PublicKey = ByteString.CopyFrom(key.ToProtobuf());
        }

        message.Protocols.Add(protocols);
        return message;
    }

    public static PublicKey StrangerKey()
    {
        using var stranger = PrivateKey.Generate();
        return stranger.PublicKey;
    }

    /// <summary>Reads until the stream ends or fails, returning the failure (null when it ended cleanly).</summary>
    public static async Task<Exception?> DrainAsync(IStream stream)
    {
        try
        {
            var buffer = new byte[1024];
            while (await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait) > 0)
            {
            }

            return null;
        }
        catch (IOException e)
        {
            return e;
        }
    }
}
