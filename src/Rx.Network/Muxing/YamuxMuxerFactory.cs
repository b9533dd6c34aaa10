using Rx.Network.Reactive;

namespace Rx.Network.Muxing;

/// <summary>Creates yamux sessions.</summary>
/// <param name="options">The session options.</param>
/// <param name="time">The clock for pings, keep-alive and window tuning.</param>
/// <param name="scheduler">The network's scheduler, where the sessions' contended stream writers resume.</param>
internal sealed class YamuxMuxerFactory(YamuxOptions options, TimeProvider time, NetworkScheduler scheduler) : IMuxerFactory
{
    /// <inheritdoc/>
    public string Protocol => YamuxSession.ProtocolId;

    /// <inheritdoc/>
    public IMuxerSession Create(Transports.IDuplexChannel channel, bool isInitiator, Resources.ConnectionScope? resources = null) =>
        new YamuxSession(channel, isInitiator, options, time, resources, scheduler);
}
