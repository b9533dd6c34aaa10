using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json.Nodes;
using Rx.Network.Identity;

namespace Rx.Network.Cli;

/// <summary>Builds the CLI's network: Noise (or TLS, or both) + yamux over TCP, ping served, echo and sink protocols.</summary>
internal static class CliNode
{
    public static PrivateKey ParseKey(string? hex)
    {
        if (hex is null)
        {
            return PrivateKey.Generate();
        }

        byte[] seed;
        try
        {
            seed = Convert.FromHexString(hex);
        }
        catch (FormatException e)
        {
            throw new ArgumentException("--key must be 64 hexadecimal digits (a 32-byte Ed25519 seed).", e);
        }

        if (seed.Length != PrivateKey.SeedLength)
        {
            throw new ArgumentException("--key must be 64 hexadecimal digits (a 32-byte Ed25519 seed).");
        }

        return PrivateKey.FromSeed(seed);
    }

    public static NetworkBuilder Builder(PrivateKey key, SecurityProtocol[]? security = null) =>
        new NetworkBuilder().WithIdentity(key).WithSecurity(security ?? [SecurityProtocol.Noise]);

    /// <summary><c>--security noise,tls</c>: the security protocols offered, in that order (default noise).</summary>
    public static Option<SecurityProtocol[]> SecurityOption() => new("--security")
    {
        Description = "Security protocols to offer, in order of preference: noise, tls (comma-separated).",
        DefaultValueFactory = _ => [SecurityProtocol.Noise],
        CustomParser = ParseSecurity,
    };

    private static SecurityProtocol[] ParseSecurity(ArgumentResult result)
    {
        var protocols = new List<SecurityProtocol>();
        foreach (var token in result.Tokens)
        {
            foreach (var name in token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                switch (name.ToUpperInvariant())
                {
                    case "NOISE":
                        protocols.Add(SecurityProtocol.Noise);
                        break;
                    case "TLS":
                        protocols.Add(SecurityProtocol.Tls);
                        break;
                    default:
                        result.AddError($"--security: unknown protocol '{name}' (use noise, tls).");
                        return [];
                }
            }
        }

        if (protocols.Count == 0)
        {
            result.AddError("--security needs at least one protocol (noise, tls).");
        }

        return [.. protocols.Distinct()];
    }

    /// <summary>Logs every network event as a JSON line on stderr.</summary>
    public static IDisposable LogEvents(INetwork network) => network.Events.Subscribe(e => JsonLines.Err(Describe(e)));

    private static JsonObject Describe(NetworkEvent e)
    {
        var json = new JsonObject { ["event"] = e.GetType().Name, ["time"] = e.Timestamp.ToString("O") };
        switch (e)
        {
            case ListenStarted s:
                json["addr"] = s.Address.ToString();
                break;
            case ListenClosed s:
                json["addr"] = s.Address.ToString();
                json["error"] = s.Error?.Message;
                break;
            case Connected c:
                json["peer"] = c.Connection.RemotePeer.ToString();
                json["remoteAddr"] = c.Connection.RemoteAddress.ToString();
                json["direction"] = c.Connection.Direction.ToString();
                json["security"] = c.Connection.Security;
                json["muxer"] = c.Connection.Muxer;
                break;
            case Disconnected d:
                json["peer"] = d.Connection.RemotePeer.ToString();
                json["error"] = d.Error?.Message;
                break;
            case StreamOpened s:
                json["stream"] = s.Stream.Id;
                json["protocol"] = s.Stream.Protocol;
                json["direction"] = s.Stream.Direction.ToString();
                break;
            case StreamClosed s:
                json["stream"] = s.Stream.Id;
                json["protocol"] = s.Stream.Protocol;
                json["error"] = s.Error?.Message;
                break;
            case InboundUpgradeFailed f:
                json["remoteAddr"] = f.RemoteAddress.ToString();
                json["error"] = f.Error.InnerException is { } inner ? $"{f.Error.Message} ({inner.Message})" : f.Error.Message;
                break;
            case NotifieeOverflowed n:
                json["notifiee"] = n.Notifiee.GetType().Name;
                json["error"] = n.Error.Message;
                break;
        }

        return json;
    }
}
