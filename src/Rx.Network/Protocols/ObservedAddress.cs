using Rx.Network.Addressing;

namespace Rx.Network.Protocols;

/// <summary>
/// One of our own addresses as other peers observe it (identify's <c>observedAddr</c>): behind a
/// NAT, the public address and port peers see instead of the one we listen on.
/// </summary>
/// <param name="Address">The address, without a <c>/p2p/</c> part.</param>
/// <param name="Reports">How many identify responses reported it.</param>
/// <param name="LastReported">When it was last reported, from the network's time provider.</param>
public sealed record ObservedAddress(Multiaddr Address, int Reports, DateTimeOffset LastReported);
