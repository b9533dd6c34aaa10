using Microsoft.Extensions.Logging;
using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Swarm;

/// <summary>The swarm's log messages, source-generated so that disabled levels cost nothing.</summary>
internal static partial class SwarmLog
{
    [LoggerMessage(1, LogLevel.Warning, "An event subscriber threw and was detached.")]
    public static partial void SubscriberThrew(this ILogger logger, Exception error);

    [LoggerMessage(2, LogLevel.Debug, "Connection {Id}: accept loop ended.")]
    public static partial void AcceptLoopEnded(this ILogger logger, Exception error, string id);

    [LoggerMessage(3, LogLevel.Debug, "Connection {Id}: inbound stream {StreamId} failed negotiation; reset.")]
    public static partial void InboundNegotiationFailed(this ILogger logger, Exception error, string id, uint streamId);

    [LoggerMessage(4, LogLevel.Debug, "Connection {Connection} failed.")]
    public static partial void ConnectionFailed(this ILogger logger, Exception error, IConnection connection);

    [LoggerMessage(5, LogLevel.Debug, "Dial of {Peer} at {Address} failed.")]
    public static partial void DialAddressFailed(this ILogger logger, Exception error, PeerId peer, Multiaddr address);

    [LoggerMessage(6, LogLevel.Debug, "Closing {Connection} during shutdown failed.")]
    public static partial void ShutdownCloseFailed(this ILogger logger, Exception error, IConnection connection);

    [LoggerMessage(7, LogLevel.Debug, "Dropped inbound connection from {Remote}: too many pending handshakes.")]
    public static partial void PendingInboundExceeded(this ILogger logger, Multiaddr remote);

    [LoggerMessage(8, LogLevel.Warning, "Listener on {Address} failed.")]
    public static partial void ListenerFailed(this ILogger logger, Exception error, Multiaddr address);

    [LoggerMessage(9, LogLevel.Debug, "Inbound connection from {Remote} failed its upgrade.")]
    public static partial void InboundUpgradeFailed(this ILogger logger, Exception error, Multiaddr remote);

    [LoggerMessage(10, LogLevel.Debug, "No handler took stream {Stream}; reset.")]
    public static partial void NoHandler(this ILogger logger, IStream stream);

    [LoggerMessage(11, LogLevel.Debug, "Handler for {Protocol} failed on stream {StreamId}; reset.")]
    public static partial void HandlerFailed(this ILogger logger, Exception error, string protocol, string streamId);

    [LoggerMessage(12, LogLevel.Warning, "The connection handler threw for {Connection}.")]
    public static partial void ConnectionHandlerThrew(this ILogger logger, Exception error, IConnection connection);

    [LoggerMessage(13, LogLevel.Debug, "Refused inbound connection from {Remote}: {Limit} inbound connections are open.")]
    public static partial void InboundLimitReached(this ILogger logger, Multiaddr remote, int limit);

    [LoggerMessage(14, LogLevel.Warning, "Connection {Id}: an IncomingStreams observer threw.")]
    public static partial void IncomingObserverThrew(this ILogger logger, Exception error, string id);

    [LoggerMessage(16, LogLevel.Warning, "A notifiee ({Notifiee}) fell more than {Capacity} events behind; its registration was ended.")]
    public static partial void NotifieeOverflowed(this ILogger logger, EventOverflowException error, string notifiee, int capacity);

    [LoggerMessage(15, LogLevel.Debug, "Refused inbound connection from {Remote}: over {Rate} new connections per second from its address.")]
    public static partial void InboundRateLimited(this ILogger logger, Multiaddr remote, int rate);
}
