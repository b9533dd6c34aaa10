using Microsoft.Extensions.Logging;

namespace Rx.Network.Protocols;

/// <summary>The identify service's log messages, source-generated so that disabled levels cost nothing.</summary>
internal static partial class IdentifyLog
{
    [LoggerMessage(201, LogLevel.Debug, "Identify of {Connection} failed.")]
    public static partial void IdentifyFailed(this ILogger logger, Exception error, IConnection connection);

    [LoggerMessage(202, LogLevel.Debug, "Identified {Connection}: agent {AgentVersion}, {ProtocolCount} protocols, {AddressCount} addresses.")]
    public static partial void Identified(this ILogger logger, IConnection connection, string? agentVersion, int protocolCount, int addressCount);

    [LoggerMessage(203, LogLevel.Debug, "Identify push to {Connection} failed.")]
    public static partial void PushFailed(this ILogger logger, Exception error, IConnection connection);

    [LoggerMessage(204, LogLevel.Debug, "Stopped reading identify messages from {Connection} after {Count}; keeping those.")]
    public static partial void StoppedReading(this ILogger logger, Exception error, IConnection connection, int count);

    [LoggerMessage(205, LogLevel.Warning, "The network's event stream failed; identify resubscribes.")]
    public static partial void EventsFailed(this ILogger logger, Exception error);

    [LoggerMessage(206, LogLevel.Warning, "A subscriber of the identify results threw.")]
    public static partial void SubscriberThrew(this ILogger logger, Exception error);

    [LoggerMessage(207, LogLevel.Debug, "Our identify information does not fit in {Messages} messages; {Dropped} addresses and protocols were left out.")]
    public static partial void Truncated(this ILogger logger, int messages, int dropped);

    [LoggerMessage(208, LogLevel.Debug, "Pushing identify updates failed.")]
    public static partial void PushRoundFailed(this ILogger logger, Exception error);

    [LoggerMessage(209, LogLevel.Debug, "{Connection} sent more identify entries than are examined; {Skipped} were skipped unread.")]
    public static partial void EntriesSkipped(this ILogger logger, IConnection connection, int skipped);

    [LoggerMessage(210, LogLevel.Debug, "{Connection} pushed identify more often than allowed; the push was reset unread.")]
    public static partial void PushRefused(this ILogger logger, IConnection connection);
}
