namespace Rx.Network.Muxing;

/// <summary>The muxer contract (<see cref="IMuxerSession"/>) over the yamux session.</summary>
internal sealed partial class YamuxSession : IMuxerSession
{
    /// <summary>The protocol id.</summary>
    public const string ProtocolId = "/yamux/1.0.0";

    /// <inheritdoc/>
    public string Protocol => ProtocolId;

    /// <inheritdoc/>
    public bool CanOpenStreams => streams.CanOpenStreams;

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
