using Rx.Network.Muxing;
using Rx.Network.Security;
using Rx.Network.Transports;

namespace Rx.Network.Swarm;

/// <summary>A raw connection after security and muxer negotiation: the parts a connection is built from.</summary>
/// <param name="Raw">The transport connection (addresses; aborting it kills everything above).</param>
/// <param name="Channel">The secured channel (identities).</param>
/// <param name="Session">The muxer session over the channel.</param>
/// <param name="IsInitiator">Whether we dialed.</param>
internal sealed record UpgradedConnection(IRawConnection Raw, ISecureChannel Channel, IMuxerSession Session, bool IsInitiator)
{
    /// <summary>Tears everything down at once: the session's streams fail and the remote sees a reset.</summary>
    /// <remarks>
    /// The transport is aborted explicitly: a session abort alone only faults the layers above the
    /// socket, which then stays open (and the remote unaware) until the remote closes it.
    /// </remarks>
    public void Abort(Exception reason)
    {
        Session.Abort(reason);
        Raw.Abort();
    }
}
