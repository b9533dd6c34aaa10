using System.IO.Pipelines;
using Rx.Network.Identity;

namespace Rx.Network.Security;

/// <summary>
/// A security protocol that can be negotiated with multistream-select (<c>/noise</c>,
/// <c>/plaintext/2.0.0</c>): runs its handshake over a raw connection and returns the secured
/// channel.
/// </summary>
internal interface ISecurityProtocol
{
    /// <summary>The protocol id offered in multistream-select.</summary>
    string ProtocolId { get; }

    /// <summary>Runs the handshake as the dialer.</summary>
    /// <param name="connection">The raw connection; the channel takes ownership on success.</param>
    /// <param name="expectedRemote">The peer that was dialed, checked against the proven identity; null to accept anyone.</param>
    /// <param name="muxers">Muxers to offer inside the handshake, when the protocol can (early negotiation).</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The secured channel.</returns>
    /// <exception cref="HandshakeException">The handshake failed.</exception>
    /// <exception cref="PeerIdMismatchException">The remote is not <paramref name="expectedRemote"/>.</exception>
    Task<ISecureChannel> SecureOutboundAsync(RawConnection connection, PeerId? expectedRemote, IReadOnlyList<string> muxers, CancellationToken cancellationToken);

    /// <summary>Runs the handshake as the listener.</summary>
    /// <param name="connection">The raw connection; the channel takes ownership on success.</param>
    /// <param name="muxers">Muxers to offer inside the handshake, when the protocol can.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>The secured channel.</returns>
    /// <exception cref="HandshakeException">The handshake failed.</exception>
    Task<ISecureChannel> SecureInboundAsync(RawConnection connection, IReadOnlyList<string> muxers, CancellationToken cancellationToken);
}

/// <summary>A raw connection as the security layer sees it: a duplex pipe, whatever must be disposed with it, and where its network runs work.</summary>
/// <param name="Pipe">The bytes.</param>
/// <param name="Owner">Disposed when the secured channel ends (the socket), or null.</param>
/// <param name="Tasks">The network's <c>NetworkScheduler.Tasks</c>: where the secured channel's seal stage runs (ADR 0011 §3).</param>
internal sealed record RawConnection(IDuplexPipe Pipe, IAsyncDisposable? Owner, TaskScheduler Tasks);
