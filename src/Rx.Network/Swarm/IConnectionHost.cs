using Microsoft.Extensions.Logging;
using Rx.Network.Negotiation;

namespace Rx.Network.Swarm;

/// <summary>What a <see cref="SwarmConnection"/> needs from the network that owns it.</summary>
internal interface IConnectionHost
{
    /// <summary>The protocols served on inbound streams.</summary>
    ProtocolRouter Router { get; }

    /// <summary>Limits for negotiating each stream's protocol.</summary>
    MultistreamOptions Multistream { get; }

    /// <summary>How long an inbound stream may take to name its protocol before it is reset.</summary>
    TimeSpan StreamNegotiationTimeout { get; }

    /// <summary>The clock.</summary>
    TimeProvider Time { get; }

    /// <summary>Where the connection's continuations run: the network's <see cref="Reactive.NetworkScheduler.Tasks"/>.</summary>
    TaskScheduler Tasks { get; }

    /// <summary>The instruments.</summary>
    NetworkMetrics Metrics { get; }

    /// <summary>The logger for connections.</summary>
    ILogger Logger { get; }

    /// <summary>A stream finished negotiation (either direction).</summary>
    void OnStreamOpened(SwarmStream stream);

    /// <summary>A stream ended.</summary>
    void OnStreamClosed(SwarmStream stream, Exception? error);

    /// <summary>An inbound stream is ready for its handler.</summary>
    void OnInboundStream(SwarmStream stream);

    /// <summary>
    /// The connection ended (every stream's close already reported). Called before the
    /// connection's <see cref="IConnection.Completion"/> completes, so that whoever awaits a close
    /// finds the network's view (peers, connectedness, <see cref="Disconnected"/>) already settled.
    /// </summary>
    void OnConnectionClosed(SwarmConnection connection, Exception? error);
}
