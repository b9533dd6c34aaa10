using System.Threading.Channels;

namespace Rx.Network.Muxing;

/// <summary>The muxer contract (<see cref="IMuxerSession"/>) over the yamux session.</summary>
internal sealed partial class YamuxSession : IMuxerSession
{
    /// <summary>The protocol id.</summary>
    public const string ProtocolId = "/yamux/1.0.0";

    /// <inheritdoc/>
    public string Protocol => ProtocolId;

    /// <inheritdoc/>
    public bool CanOpenStreams
    {
        get
        {
            lock (gate)
            {
                return CanOpenStreamsLocked();
            }
        }
    }

    // Under gate: open, no GoAway from the remote, and an outbound stream id left (ids step by 2).
    private bool CanOpenStreamsLocked() => state == SessionState.Open && remoteGoAway is null && StreamIdsLeftLocked();

    private bool StreamIdsLeftLocked() => nextStreamId <= uint.MaxValue - 1;

    /// <inheritdoc/>
    async Task<IMuxedStream> IMuxerSession.OpenStreamAsync(CancellationToken cancellationToken) =>
        await OpenStreamAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    async ValueTask<IMuxedStream?> IMuxerSession.AcceptStreamAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await AcceptAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MuxerClosedException)
        {
            return null;
        }
    }
}

/// <summary>Creates yamux sessions.</summary>
/// <param name="options">The session options.</param>
/// <param name="time">The clock for pings, keep-alive and window tuning.</param>
internal sealed class YamuxMuxerFactory(YamuxOptions options, TimeProvider time) : IMuxerFactory
{
    /// <inheritdoc/>
    public string Protocol => YamuxSession.ProtocolId;

    /// <inheritdoc/>
    public IMuxerSession Create(Transports.IDuplexChannel channel, bool isInitiator, Resources.ConnectionScope? resources = null) =>
        new YamuxSession(channel, isInitiator, options, time, resources);
}
