using Rx.Network.Identity;

namespace Rx.Network.Swarm;

/// <summary><see cref="INetwork.NewStreamAsync"/> as every network implements it: dial if needed, then open.</summary>
internal static class StreamOpening
{
    /// <summary>Dials <paramref name="peer"/> (or reuses a connection) and opens a stream for the first protocol it accepts.</summary>
    public static async Task<IStream> DialAndOpenAsync(IDialer dialer, PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(protocols);
        if (protocols.Count == 0)
        {
            throw new ArgumentException("Give at least one protocol id.", nameof(protocols));
        }

        var connection = await dialer.DialPeerAsync(peer, cancellationToken).ConfigureAwait(false);
        return await connection.NewStreamAsync(protocols, cancellationToken).ConfigureAwait(false);
    }
}
