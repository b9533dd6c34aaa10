using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network;

/// <summary>
/// Connecting to a peer failed: every address failed (each failure is in
/// <see cref="AddressErrors"/>), the peer has no known address, or it is in dial backoff after
/// recent failures.
/// </summary>
public class DialException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public DialException() : base("The dial failed.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Why.</param>
    public DialException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure behind it.</summary>
    /// <param name="message">Why.</param>
    /// <param name="innerException">The underlying failure.</param>
    public DialException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a failed dial of <paramref name="peer"/>.</summary>
    /// <param name="peer">The peer that was dialed.</param>
    /// <param name="message">Why.</param>
    /// <param name="addressErrors">What went wrong at each address tried.</param>
    public DialException(PeerId? peer, string message, IReadOnlyList<KeyValuePair<Multiaddr, Exception>>? addressErrors = null)
        : base(message, addressErrors is { Count: > 0 } ? addressErrors[^1].Value : null)
    {
        Peer = peer;
        AddressErrors = addressErrors ?? [];
    }

    /// <summary>The peer that was dialed, when known.</summary>
    public PeerId? Peer { get; }

    /// <summary>The failure at each address tried, in the order they failed.</summary>
    public IReadOnlyList<KeyValuePair<Multiaddr, Exception>> AddressErrors { get; } = [];

    /// <summary>Whether the dial was refused because the peer is in backoff after recent failures.</summary>
    public bool IsBackoff { get; init; }
}
