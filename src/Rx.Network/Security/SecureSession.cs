using Rx.Network.Identity;

namespace Rx.Network.Security;

/// <summary>What a security handshake established: who is on each end and what was agreed.</summary>
/// <param name="LocalPeer">Our peer ID.</param>
/// <param name="RemotePeer">The remote's peer ID, proven by the handshake.</param>
/// <param name="RemotePublicKey">The remote's identity key, proven by the handshake.</param>
/// <param name="Protocol">The security protocol id.</param>
/// <param name="EarlyMuxer">The muxer agreed inside the handshake, if any.</param>
internal sealed record SecureSession(PeerId LocalPeer, PeerId RemotePeer, PublicKey RemotePublicKey, string Protocol, string? EarlyMuxer);
