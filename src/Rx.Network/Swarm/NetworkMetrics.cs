using System.Diagnostics.Metrics;

namespace Rx.Network.Swarm;

/// <summary>
/// The library's instruments, on one <see cref="Meter"/> named <c>Rx.Network</c>: listen with
/// <c>dotnet-counters monitor --counters Rx.Network</c> or a <see cref="MeterListener"/>.
/// </summary>
internal sealed class NetworkMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = RxNetworkTelemetry.MeterName;

    private readonly UpDownCounter<long> openConnections;
    private readonly Counter<long> connectionsOpened;
    private readonly UpDownCounter<long> openStreams;
    private readonly Counter<long> streamsOpened;
    private readonly Counter<long> bytesReceived;
    private readonly Counter<long> bytesSent;
    private readonly Histogram<double> handshakeDuration;
    private readonly Counter<long> dialFailures;
    private readonly Counter<long> inboundRefused;

    /// <summary>Creates the instruments on <paramref name="meter"/>.</summary>
    public NetworkMetrics(Meter meter)
    {
        openConnections = meter.CreateUpDownCounter<long>("rxnet.connections.open", "{connection}", "Connections open now.");
        connectionsOpened = meter.CreateCounter<long>("rxnet.connections.opened", "{connection}", "Connections opened.");
        openStreams = meter.CreateUpDownCounter<long>("rxnet.streams.open", "{stream}", "Streams open now.");
        streamsOpened = meter.CreateCounter<long>("rxnet.streams.opened", "{stream}", "Streams opened.");
        bytesReceived = meter.CreateCounter<long>("rxnet.bytes.in", "By", "Stream payload bytes received.");
        bytesSent = meter.CreateCounter<long>("rxnet.bytes.out", "By", "Stream payload bytes sent.");
        handshakeDuration = meter.CreateHistogram<double>("rxnet.handshake.duration", "s", "Time to upgrade a raw connection (negotiation, security, muxer).");
        dialFailures = meter.CreateCounter<long>("rxnet.dial.failures", "{dial}", "Dials of a peer that failed.");
        inboundRefused = meter.CreateCounter<long>("rxnet.connections.refused", "{connection}", "Inbound connections refused by a limit (tag: limit).");
    }

    /// <summary>The process-wide instruments on the <c>Rx.Network</c> meter.</summary>
    /// <remarks>The meter is the resource manager's (<see cref="Resources.ResourceMetrics.SharedMeter"/>): one meter for the library.</remarks>
    public static NetworkMetrics Shared { get; } = new(Resources.ResourceMetrics.SharedMeter);

    public void ConnectionOpened(Direction direction)
    {
        var tag = new KeyValuePair<string, object?>("direction", direction.ToString());
        openConnections.Add(1, tag);
        connectionsOpened.Add(1, tag);
    }

    public void ConnectionClosed(Direction direction) =>
        openConnections.Add(-1, new KeyValuePair<string, object?>("direction", direction.ToString()));

    public void StreamOpened(string protocol)
    {
        var tag = new KeyValuePair<string, object?>("protocol", protocol);
        openStreams.Add(1, tag);
        streamsOpened.Add(1, tag);
    }

    public void StreamClosed(string protocol) => openStreams.Add(-1, new KeyValuePair<string, object?>("protocol", protocol));

    public void BytesIn(int count)
    {
        if (count > 0)
        {
            bytesReceived.Add(count);
        }
    }

    public void BytesOut(int count)
    {
        if (count > 0)
        {
            bytesSent.Add(count);
        }
    }

    public void Handshake(TimeSpan duration, Direction direction, bool succeeded) =>
        handshakeDuration.Record(
            duration.TotalSeconds,
            new KeyValuePair<string, object?>("direction", direction.ToString()),
            new KeyValuePair<string, object?>("succeeded", succeeded));

    public void DialFailed() => dialFailures.Add(1);

    public void InboundRefused(string limit) => inboundRefused.Add(1, new KeyValuePair<string, object?>("limit", limit));
}
