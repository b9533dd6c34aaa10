using Rx.Network.Identity;

namespace Rx.Network.Addressing;

// Encapsulation and the peer ID helpers.
public sealed partial class Multiaddr
{
    /// <summary>
    /// The peer this address reaches: the value of the last <c>/p2p</c> component after the last
    /// <c>/p2p-circuit</c>, or <see langword="null"/> when there is none.
    /// </summary>
    /// <remarks>
    /// As js-multiaddr's <c>getPeerId</c> (since 12.1.5): in a relay address such as
    /// <c>/ip4/…/p2p/QmRelay/p2p-circuit</c> the relay's ID is not the peer's, so the result is null;
    /// in <c>/…/p2p-circuit/p2p/QmTarget</c> it is <c>QmTarget</c>.
    /// </remarks>
    public PeerId? PeerId
    {
        get
        {
            for (int i = components.Length - 1; i >= 0; i--)
            {
                var protocol = components[i].Protocol;
                if (protocol == MultiaddrProtocol.P2p)
                {
                    return PeerId.FromBytes(components[i].RawValue.Span);
                }

                if (protocol == MultiaddrProtocol.P2pCircuit)
                {
                    return null;
                }
            }

            return null;
        }
    }

    /// <summary>Appends another address: <c>/ip4/1.2.3.4</c> encapsulating <c>/tcp/80</c> gives <c>/ip4/1.2.3.4/tcp/80</c>.</summary>
    /// <param name="other">The address to append.</param>
    /// <returns>The combined address.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// This address ends with a path component (<c>/unix</c>) and <paramref name="other"/> is not empty,
    /// or the result would exceed <see cref="MaxLength"/> bytes.
    /// </exception>
    public Multiaddr Encapsulate(Multiaddr other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.IsEmpty)
        {
            return this;
        }

        if (IsEmpty)
        {
            return other;
        }

        return Compose([.. components, .. other.components], nameof(other));
    }

    /// <summary>Parses and appends another address; see <see cref="Encapsulate(Multiaddr)"/>.</summary>
    /// <param name="other">The text form of the address to append.</param>
    /// <returns>The combined address.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="other"/> is not a valid multiaddr.</exception>
    /// <exception cref="ArgumentException">See <see cref="Encapsulate(Multiaddr)"/>.</exception>
    public Multiaddr Encapsulate(string other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Encapsulate(Parse(other));
    }

    /// <summary>
    /// Removes the last occurrence of <paramref name="other"/> and everything after it, as
    /// go-multiaddr's <c>Decapsulate</c> does: <c>/ip4/1.2.3.4/tcp/80</c> decapsulating <c>/tcp/80</c>
    /// gives <c>/ip4/1.2.3.4</c>. Matching is by whole components.
    /// </summary>
    /// <param name="other">The address to remove.</param>
    /// <returns>
    /// The prefix before the last occurrence (<see cref="Empty"/> when it starts the address), or this
    /// address unchanged when <paramref name="other"/> does not occur in it or is empty.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    public Multiaddr Decapsulate(Multiaddr other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var right = other.components;
        if (right.Length == 0)
        {
            return this;
        }

        for (int start = components.Length - right.Length; start >= 0; start--)
        {
            if (components.AsSpan(start, right.Length).SequenceEqual(right))
            {
                return Prefix(start);
            }
        }

        return this;
    }

    /// <summary>Parses and removes another address; see <see cref="Decapsulate(Multiaddr)"/>.</summary>
    /// <param name="other">The text form of the address to remove.</param>
    /// <returns>The prefix before its last occurrence, or this address unchanged.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="other"/> is not a valid multiaddr.</exception>
    public Multiaddr Decapsulate(string other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Decapsulate(Parse(other));
    }

    /// <summary>
    /// Removes the last component with the given protocol code and everything after it, as
    /// js-multiaddr's <c>decapsulateCode</c>.
    /// </summary>
    /// <param name="code">The protocol code, e.g. <c>MultiaddrProtocol.P2p.Code</c>.</param>
    /// <returns>The prefix before the last such component, or this address unchanged when there is none.</returns>
    public Multiaddr DecapsulateCode(int code)
    {
        for (int i = components.Length - 1; i >= 0; i--)
        {
            if (components[i].Protocol.Code == code)
            {
                return Prefix(i);
            }
        }

        return this;
    }

    /// <summary>
    /// Returns this address ending with <c>/p2p/</c><paramref name="peerId"/>: a trailing <c>/p2p</c>
    /// component is replaced, otherwise one is appended.
    /// </summary>
    /// <param name="peerId">The peer.</param>
    /// <returns>The address (this instance when it already ends with that peer ID).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peerId"/> is null.</exception>
    /// <exception cref="ArgumentException">The address ends with a path component, or the result would be too long.</exception>
    public Multiaddr WithPeerId(PeerId peerId)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        var raw = peerId.ToBytes();
        var stem = WithoutPeerId();
        if (!ReferenceEquals(stem, this) && components[^1].RawValue.Span.SequenceEqual(raw))
        {
            return this;
        }

        var p2p = MultiaddrComponent.FromValidated(MultiaddrProtocol.P2p, raw, peerId.ToString());
        return Compose([.. stem.components, p2p], nameof(peerId));
    }

    /// <summary>Removes a trailing <c>/p2p</c> component, if the address ends with one.</summary>
    /// <returns>The address without it (this instance when there is none).</returns>
    public Multiaddr WithoutPeerId() =>
        components.Length > 0 && components[^1].Protocol == MultiaddrProtocol.P2p ? Prefix(components.Length - 1) : this;

    private Multiaddr Prefix(int count)
    {
        if (count == components.Length)
        {
            return this;
        }

        var prefix = components[..count];
        int length = 0;
        foreach (var component in prefix)
        {
            length += component.EncodedLength;
        }

        return Build(prefix, length);
    }
}
