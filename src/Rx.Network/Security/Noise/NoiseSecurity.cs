using Rx.Network.Identity;

namespace Rx.Network.Security.Noise;

/// <summary>
/// <c>/noise</c> as a negotiable security protocol: runs the libp2p Noise XX handshake (offering
/// our muxers inside it) and starts the secure-channel pipeline with the Noise frame codec.
/// </summary>
internal sealed class NoiseSecurity : ISecurityProtocol
{
    private readonly NoiseStaticKey staticKey;
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan handshakeTimeout;
    private readonly SecureChannelOptions channelOptions;
    private readonly PeerId localPeer;

    /// <param name="identity">Our identity key, which signs the Noise static key; the caller keeps ownership.</param>
    /// <param name="timeProvider">The clock for the handshake timeout.</param>
    /// <param name="handshakeTimeout">How long the handshake may take; <see cref="Timeout.InfiniteTimeSpan"/> for no limit of its own.</param>
    /// <param name="channelOptions">Buffer bounds of the resulting channel.</param>
    public NoiseSecurity(PrivateKey identity, TimeProvider? timeProvider = null, TimeSpan? handshakeTimeout = null, SecureChannelOptions? channelOptions = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        // One static key per node, signed once (see NoiseStaticKey for why that is safe): it saves
        // an X25519 key generation and an Ed25519 signature per handshake.
        staticKey = new NoiseStaticKey(identity);
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.handshakeTimeout = handshakeTimeout ?? NoiseHandshake.DefaultTimeout;
        if (this.handshakeTimeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(this.handshakeTimeout, TimeSpan.Zero, nameof(handshakeTimeout));
        }

        this.channelOptions = channelOptions ?? SecureChannelOptions.Default;
        localPeer = PeerId.FromPublicKey(identity.PublicKey);
    }

    /// <inheritdoc/>
    public string ProtocolId => NoiseHandshake.ProtocolId;

    /// <inheritdoc/>
    public async Task<ISecureChannel> SecureOutboundAsync(RawConnection connection, PeerId? expectedRemote, IReadOnlyList<string> muxers, CancellationToken cancellationToken)
    {
        var result = await NoiseHandshake.InitiateAsync(connection.Pipe, staticKey, expectedRemote, muxers, timeProvider, handshakeTimeout, cancellationToken).ConfigureAwait(false);
        return Start(connection, result);
    }

    /// <inheritdoc/>
    public async Task<ISecureChannel> SecureInboundAsync(RawConnection connection, IReadOnlyList<string> muxers, CancellationToken cancellationToken)
    {
        var result = await NoiseHandshake.RespondAsync(connection.Pipe, staticKey, muxers, timeProvider, handshakeTimeout, cancellationToken).ConfigureAwait(false);
        return Start(connection, result);
    }

    private SecureChannel Start(RawConnection connection, NoiseHandshakeResult result)
    {
        using (result)
        {
            var codec = result.CreateCodec();
            var session = new SecureSession(localPeer, result.RemotePeer, result.RemotePublicKey, ProtocolId, result.EarlyMuxer);

            // One codec serves both loops: Seal uses only the send cipher, TryOpen only the receive one.
            return new SecureChannel(connection.Pipe, codec, codec, session, connection.Tasks, channelOptions, connection.Owner);
        }
    }
}
