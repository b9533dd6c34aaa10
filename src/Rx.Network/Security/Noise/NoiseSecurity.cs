using System.IO.Pipelines;
using Rx.Network.Identity;

namespace Rx.Network.Security.Noise;

/// <summary>
/// The <c>/noise</c> security transport for one local identity: secures raw connections in either
/// role with <see cref="NoiseHandshake"/>, advertising the configured muxers for early negotiation.
/// The secure-channel pipeline wraps the result's <see cref="NoiseHandshakeResult.CreateCodec"/>.
/// </summary>
internal sealed class NoiseSecurity
{
    private readonly PrivateKey identity;
    private readonly string[] muxers;
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan handshakeTimeout;

    /// <summary>Creates the transport.</summary>
    /// <param name="identity">Our identity key; the caller keeps ownership and must keep it alive.</param>
    /// <param name="muxers">Muxers to offer in the handshake, in order of preference (none: negotiate with multistream-select).</param>
    /// <param name="timeProvider">The clock for handshake timeouts (default: <see cref="TimeProvider.System"/>).</param>
    /// <param name="handshakeTimeout">How long a handshake may take (default: <see cref="NoiseHandshake.DefaultTimeout"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="identity"/> is null.</exception>
    /// <exception cref="ArgumentException">A muxer id is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="handshakeTimeout"/> is neither positive nor infinite.</exception>
    public NoiseSecurity(PrivateKey identity, IEnumerable<string>? muxers = null, TimeProvider? timeProvider = null, TimeSpan? handshakeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        this.identity = identity;
        this.muxers = muxers?.ToArray() ?? [];
        foreach (var muxer in this.muxers)
        {
            ArgumentException.ThrowIfNullOrEmpty(muxer, nameof(muxers));
        }

        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.handshakeTimeout = handshakeTimeout ?? NoiseHandshake.DefaultTimeout;
        if (this.handshakeTimeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(this.handshakeTimeout, TimeSpan.Zero, nameof(handshakeTimeout));
        }

        LocalPeer = PeerId.FromPublicKey(identity.PublicKey);
    }

    /// <summary>The protocol id negotiated by multistream-select.</summary>
    public const string ProtocolId = NoiseHandshake.ProtocolId;

    /// <summary>Our peer ID.</summary>
    public PeerId LocalPeer { get; }

    /// <summary>The muxers offered in the handshake.</summary>
    public IReadOnlyList<string> Muxers => muxers;

    /// <summary>Secures a connection we dialed.</summary>
    /// <param name="pipe">The raw connection.</param>
    /// <param name="remotePeer">The peer we dialed, or <see langword="null"/> to accept any.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The handshake result.</returns>
    /// <exception cref="HandshakeException">The handshake failed or timed out.</exception>
    /// <exception cref="PeerIdMismatchException">The remote is not <paramref name="remotePeer"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<NoiseHandshakeResult> SecureOutboundAsync(IDuplexPipe pipe, PeerId? remotePeer, CancellationToken cancellationToken = default) =>
        NoiseHandshake.InitiateAsync(pipe, identity, remotePeer, muxers, timeProvider, handshakeTimeout, cancellationToken);

    /// <summary>Secures a connection we accepted.</summary>
    /// <param name="pipe">The raw connection.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The handshake result.</returns>
    /// <exception cref="HandshakeException">The handshake failed or timed out.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<NoiseHandshakeResult> SecureInboundAsync(IDuplexPipe pipe, CancellationToken cancellationToken = default) =>
        NoiseHandshake.RespondAsync(pipe, identity, muxers, timeProvider, handshakeTimeout, cancellationToken);
}
