using Rx.Network.Identity;
using Rx.Network.Transports;

namespace Rx.Network.Security;

/// <summary>A connection after the security handshake: authenticated, encrypted, with the remote's identity.</summary>
internal interface ISecureChannel : IDuplexChannel
{
    /// <summary>Our peer ID.</summary>
    PeerId LocalPeer { get; }

    /// <summary>The remote's peer ID, proven by the handshake.</summary>
    PeerId RemotePeer { get; }

    /// <summary>The remote's identity key, proven by the handshake.</summary>
    PublicKey RemotePublicKey { get; }

    /// <summary>The security protocol id (<c>/noise</c>, <c>/plaintext/2.0.0</c>).</summary>
    string SecurityProtocol { get; }

    /// <summary>
    /// The muxer both sides agreed on inside the handshake (Noise's <c>stream_muxers</c> extension),
    /// or <see langword="null"/> when multistream-select must negotiate it.
    /// </summary>
    string? EarlyMuxer { get; }
}
