using Rx.Network.Muxing;
using Rx.Network.Security;
using Rx.Network.Transports;

namespace Rx.Network.Swarm;

/// <summary>A raw connection after security and muxer negotiation: the parts a connection is built from.</summary>
/// <param name="Raw">The transport connection (addresses; aborting it kills everything above).</param>
/// <param name="Channel">The secured channel (identities).</param>
/// <param name="Session">The muxer session over the channel.</param>
/// <param name="IsInitiator">Whether we dialed.</param>
internal sealed record UpgradedConnection(IRawConnection Raw, ISecureChannel Channel, IMuxerSession Session, bool IsInitiator);
