using Rx.Network.Identity;

namespace Rx.Network;

/// <summary>
/// The remote completed the security handshake with a valid identity, but not the one that was
/// dialed: its public key does not hash to the expected peer ID. The connection is closed.
/// </summary>
/// <remarks>
/// The libp2p specs require the dialer to abort in this case (noise spec, <c>SecureOutbound</c>),
/// since the address may have been reused by another peer, or someone is in the middle.
/// </remarks>
public class PeerIdMismatchException : HandshakeException
{
    /// <summary>Creates the exception with a default message.</summary>
    public PeerIdMismatchException() : base("The remote peer is not the one that was dialed.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The description.</param>
    public PeerIdMismatchException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure.</param>
    public PeerIdMismatchException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for the peer that was expected and the one that answered.</summary>
    /// <param name="expected">The peer ID that was dialed.</param>
    /// <param name="actual">The peer ID the remote proved.</param>
    /// <exception cref="ArgumentNullException"><paramref name="expected"/> or <paramref name="actual"/> is null.</exception>
    public PeerIdMismatchException(PeerId expected, PeerId actual)
        : base($"Dialed peer {expected ?? throw new ArgumentNullException(nameof(expected))} but the remote proved to be {actual ?? throw new ArgumentNullException(nameof(actual))}.")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The peer ID that was dialed, or <see langword="null"/> when unknown.</summary>
    public PeerId? Expected { get; }

    /// <summary>The peer ID the remote proved, or <see langword="null"/> when unknown.</summary>
    public PeerId? Actual { get; }
}
