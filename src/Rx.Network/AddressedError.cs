using System.Net.Sockets;
using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network;

/// <summary>
/// Builds the exceptions that carry a <see cref="PeerId"/> or a <see cref="Multiaddr"/>, so their
/// messages stay consistent; the rest of the family is built by <c>Errors.Error</c>, which sits
/// below <c>Identity</c> and <c>Addressing</c> and cannot name these values (ADR 0001).
/// </summary>
internal static class AddressedError
{
    internal static PeerIdMismatchException PeerIdMismatch(PeerId expected, PeerId actual) => new(expected, actual);

    internal static TransportException Dial(Multiaddr address, SocketError? error, string why, Exception? inner = null) =>
        new(address, error, $"Dialing {address} failed: {why}", inner);

    internal static TransportException Listen(Multiaddr address, SocketError? error, string why, Exception? inner = null) =>
        new(address, error, $"Listening on {address} failed: {why}", inner);
}
