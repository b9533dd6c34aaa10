using System.Diagnostics;
using System.Net;
using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Swarm;

/// <summary>
/// The library's spans, on one <see cref="ActivitySource"/> named <c>Rx.Network</c> (names and
/// tags: <see cref="RxNetworkTelemetry"/>). Callers check <see cref="IsEnabled"/> before taking a
/// traced path, so a process that does not listen pays one field read per operation; every
/// <c>Start…</c> returns null when nothing samples the span, and the other methods accept null.
/// </summary>
internal static class NetworkTracing
{
    public const string PeerIdTag = "libp2p.peer.id";
    public const string MultiaddrTag = "libp2p.multiaddr";
    public const string DirectionTag = "libp2p.direction";
    public const string SecurityTag = "libp2p.security";
    public const string MuxerTag = "libp2p.muxer";
    public const string MuxerNegotiationTag = "libp2p.muxer.negotiation";
    public const string ProtocolTag = "libp2p.protocol";
    public const string OfferedProtocolsTag = "libp2p.protocols.offered";
    public const string RequestSizeTag = "rxnet.request.size";
    public const string ReplySizeTag = "rxnet.reply.size";
    public const string ErrorTypeTag = "error.type";

    private static readonly ActivitySource Source = new(RxNetworkTelemetry.ActivitySourceName, typeof(NetworkTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Whether anything listens to the source: the traced paths are taken only then.</summary>
    public static bool IsEnabled => Source.HasListeners();

    public static Activity? StartDial(PeerId peer)
    {
        var activity = Source.StartActivity("rxnet.dial", ActivityKind.Client);
        activity?.SetTag(PeerIdTag, peer.ToString());
        return activity;
    }

    public static Activity? StartDialAddress(PeerId peer, Multiaddr address)
    {
        var activity = Source.StartActivity("rxnet.dial.address", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(PeerIdTag, peer.ToString());
            activity.SetTag(MultiaddrTag, address.ToString());
            if (address.TryGetEndPoint(out var endPoint))
            {
                activity.SetTag("network.peer.address", endPoint switch
                {
                    IPEndPoint ip => ip.Address.ToString(),
                    DnsEndPoint dns => dns.Host,
                    _ => endPoint.ToString(),
                });
                activity.SetTag("network.peer.port", endPoint switch
                {
                    IPEndPoint ip => ip.Port,
                    DnsEndPoint dns => dns.Port,
                    _ => null,
                });
                activity.SetTag("network.transport", "tcp");
            }
        }

        return activity;
    }

    public static Activity? StartUpgrade(Direction direction, PeerId? expectedRemote)
    {
        var activity = Source.StartActivity("rxnet.upgrade", ActivityKind.Internal);
        activity?.SetTag(DirectionTag, Name(direction));
        if (expectedRemote is not null)
        {
            activity?.SetTag(PeerIdTag, expectedRemote.ToString());
        }

        return activity;
    }

    public static void Upgraded(Activity? activity, UpgradedConnection connection)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(PeerIdTag, connection.Channel.RemotePeer.ToString());
        activity.SetTag(SecurityTag, connection.Channel.SecurityProtocol);
        activity.SetTag(MuxerTag, connection.Session.Protocol);
        activity.SetTag(MuxerNegotiationTag, connection.Channel.EarlyMuxer is null ? "multistream" : "inlined");
    }

    public static Activity? StartNegotiation(Direction direction, PeerId remote, IReadOnlyList<string>? offered)
    {
        var activity = Source.StartActivity("rxnet.stream.negotiate", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(DirectionTag, Name(direction));
            activity.SetTag(PeerIdTag, remote.ToString());
            if (offered is not null)
            {
                activity.SetTag(OfferedProtocolsTag, offered.ToArray());
            }
        }

        return activity;
    }

    public static Activity? StartRequest(ActivityKind kind, string protocol, PeerId peer, int requestSize)
    {
        var activity = Source.StartActivity("rxnet.request", kind);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ProtocolTag, protocol);
            activity.SetTag(PeerIdTag, peer.ToString());
            if (requestSize >= 0)
            {
                activity.SetTag(RequestSizeTag, requestSize);
            }
        }

        return activity;
    }

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="error"/>.</summary>
    public static void Failed(Activity? activity, Exception error)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        activity.SetTag(ErrorTypeTag, error.GetType().FullName);
    }

    /// <summary>
    /// Clears <see cref="Activity.Current"/> until disposed: long-lived loops (a listener's accept
    /// loop, a connection's stream loop) started inside it do not make every later span a child
    /// of whatever span was current when they started (a dial, a caller's request).
    /// </summary>
    public static DetachedScope Detach() => new(Activity.Current);

    /// <summary>Restores the span that was current before <see cref="Detach"/>.</summary>
    internal readonly struct DetachedScope : IDisposable
    {
        private readonly Activity? previous;

        public DetachedScope(Activity? previous)
        {
            this.previous = previous;
            if (previous is not null)
            {
                Activity.Current = null;
            }
        }

        public void Dispose()
        {
            if (previous is not null)
            {
                Activity.Current = previous;
            }
        }
    }

    private static string Name(Direction direction) => direction == Direction.Outbound ? "outbound" : "inbound";
}
