using System.Net;
using Rx.Network.Identity;

namespace Rx.Network.Resources;

/// <summary>
/// Sources exempt from the per-address and per-peer scopes: connections from these networks, and
/// connections with these peers, count only in their connection, protocol and the node-wide scopes.
/// Empty by default: loopback is not exempt.
/// </summary>
/// <remarks>
/// An allowlisted address skips the address scopes from the moment it is accepted; an allowlisted
/// peer is known only after the security handshake, so its connection is counted in its address
/// scopes while it upgrades, and leaves them once the peer is proven.
/// </remarks>
public sealed record ResourceAllowlist
{
    /// <summary>Nothing exempt.</summary>
    public static ResourceAllowlist Empty { get; } = new();

    /// <summary>Networks (CIDR prefixes, e.g. <c>IPNetwork.Parse("10.0.0.0/8")</c>) whose connections are exempt.</summary>
    public IReadOnlyList<IPNetwork> Networks { get; init; } = [];

    /// <summary>Peers whose connections are exempt.</summary>
    public IReadOnlySet<PeerId> Peers { get; init; } = new HashSet<PeerId>();

    /// <summary>Whether <paramref name="address"/> is in one of the <see cref="Networks"/>.</summary>
    /// <param name="address">The address.</param>
    /// <returns>Whether it is exempt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in Networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="peer"/> is one of the <see cref="Peers"/>.</summary>
    /// <param name="peer">The peer.</param>
    /// <returns>Whether it is exempt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    public bool Contains(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return Peers.Contains(peer);
    }
}
