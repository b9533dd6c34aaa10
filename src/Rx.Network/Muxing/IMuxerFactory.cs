using Rx.Network.Resources;
using Rx.Network.Transports;

namespace Rx.Network.Muxing;

/// <summary>Creates muxer sessions of one protocol over secured channels.</summary>
internal interface IMuxerFactory
{
    /// <summary>The protocol id negotiated for this muxer, e.g. <c>/yamux/1.0.0</c>.</summary>
    string Protocol { get; }

    /// <summary>Starts a session over <paramref name="channel"/>.</summary>
    /// <param name="channel">The secured channel; the session owns it from now on.</param>
    /// <param name="isInitiator">Whether we dialed (yamux: odd stream ids).</param>
    /// <param name="resources">The connection's resource scope, which every stream's count and receive window are reserved in; null reserves nothing.</param>
    IMuxerSession Create(IDuplexChannel channel, bool isInitiator, ConnectionScope? resources = null);
}
