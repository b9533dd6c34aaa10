using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace Rx.Network.Addressing;

/// <summary>
/// A self-describing network address (<see href="https://github.com/multiformats/multiaddr">multiaddr</see>),
/// e.g. <c>/ip4/192.0.2.1/tcp/4001/p2p/12D3KooW…</c>: a sequence of protocol components, each with
/// an optional value.
/// </summary>
/// <remarks>
/// <para>
/// The binary form is the sequence of (varint code, value) pairs, where a variable-size value is
/// preceded by its varint length. Text and binary forms are those of go-multiaddr and js-multiaddr;
/// the text form is canonical on output (<c>/ipfs</c> is written <c>/p2p</c>, peer IDs in base58btc,
/// IPv6 in RFC 5952 form), so text → bytes → text is stable.
/// </para>
/// <para>
/// Instances are immutable and compare by their binary form. Every instance is at most
/// <see cref="MaxLength"/> bytes long, so anything this type produces it can parse back.
/// Malformed text or bytes make the parsers throw <see cref="FormatException"/> (bytes:
/// <see cref="WireProtocolViolationException"/>), never another exception type.
/// </para>
/// </remarks>
public sealed partial class Multiaddr : IEquatable<Multiaddr>
{
    /// <summary>
    /// The longest binary form accepted, in bytes. Real addresses are well under 300 bytes (a relayed
    /// WebTransport address with two certificate hashes and two peer IDs is about 200); the bound
    /// keeps parsing addresses from untrusted peers cheap.
    /// </summary>
    public const int MaxLength = 1024;

    /// <summary>
    /// The longest text form accepted, in characters. It is generous enough that the text form of any
    /// address within <see cref="MaxLength"/> bytes fits (a 2-byte component can print as 19 characters).
    /// </summary>
    public const int MaxTextLength = 16 * 1024;

    private readonly byte[] bytes;
    private readonly MultiaddrComponent[] components;
    private ReadOnlyCollection<MultiaddrComponent>? componentView;
    private ReadOnlyCollection<MultiaddrProtocol>? protocolView;
    private string? text;

    private Multiaddr(byte[] bytes, MultiaddrComponent[] components)
    {
        this.bytes = bytes;
        this.components = components;
    }

    /// <summary>The empty address, with no components; its text form is <c>/</c> (as in js-multiaddr).</summary>
    public static Multiaddr Empty { get; } = new([], []);

    /// <summary>Whether the address has no components.</summary>
    public bool IsEmpty => components.Length == 0;

    /// <summary>The binary form.</summary>
    public ReadOnlyMemory<byte> Bytes => bytes;

    /// <summary>The components, in order.</summary>
    public IReadOnlyList<MultiaddrComponent> Components => componentView ??= Array.AsReadOnly(components);

    /// <summary>The protocols of the components, in order.</summary>
    public IReadOnlyList<MultiaddrProtocol> Protocols =>
        protocolView ??= Array.AsReadOnly(Array.ConvertAll(components, c => c.Protocol));

    /// <summary>Parses the text form, e.g. <c>/ip4/127.0.0.1/tcp/4001</c>.</summary>
    /// <param name="text">
    /// The text. Trailing slashes are ignored (as both references do); <c>""</c> and <c>"/"</c> give
    /// <see cref="Empty"/> (as js-multiaddr does). Protocol names are case-sensitive; <c>ipfs</c> is
    /// read as <c>p2p</c>; a <c>p2p</c> value may be base58btc or a CIDv1.
    /// </param>
    /// <returns>The address.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">
    /// The text is not a valid multiaddr: it does not start with <c>/</c>, names an unknown protocol,
    /// lacks or has an invalid value, or is longer than <see cref="MaxTextLength"/> characters or
    /// <see cref="MaxLength"/> bytes once encoded.
    /// </exception>
    public static Multiaddr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return DecodeText(text);
    }

    /// <summary>Tries to parse the text form; see <see cref="Parse(string)"/>.</summary>
    /// <param name="text">The text, possibly null.</param>
    /// <param name="address">The address when the result is <see langword="true"/>.</param>
    /// <returns>Whether the text is a valid multiaddr.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Multiaddr? address)
    {
        address = null;
        if (text is null)
        {
            return false;
        }

        try
        {
            address = DecodeText(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Decodes the binary form.</summary>
    /// <param name="bytes">The bytes; empty gives <see cref="Empty"/>.</param>
    /// <returns>The address.</returns>
    /// <exception cref="WireProtocolViolationException">
    /// The bytes are not a valid multiaddr: a malformed varint, an unknown protocol code, a truncated
    /// or invalid value, a component after a path component, or more than <see cref="MaxLength"/> bytes.
    /// </exception>
    public static Multiaddr FromBytes(ReadOnlySpan<byte> bytes) => DecodeBinary(bytes);

    /// <summary>Tries to decode the binary form; see <see cref="FromBytes"/>.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="address">The address when the result is <see langword="true"/>.</param>
    /// <returns>Whether the bytes are a valid multiaddr.</returns>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out Multiaddr? address)
    {
        try
        {
            address = DecodeBinary(bytes);
            return true;
        }
        catch (FormatException)
        {
            address = null;
            return false;
        }
    }

    /// <summary>Builds an address from components.</summary>
    /// <param name="components">The components, in order.</param>
    /// <returns>The address.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="components"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException">
    /// A path component (<c>/unix</c>) is not last, or the address would exceed <see cref="MaxLength"/> bytes.
    /// </exception>
    public static Multiaddr FromComponents(IEnumerable<MultiaddrComponent> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        MultiaddrComponent[] array = [.. components];
        foreach (var component in array)
        {
            ArgumentNullException.ThrowIfNull(component, nameof(components));
        }

        return Compose(array, nameof(components));
    }

    /// <summary>Returns a copy of the binary form.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToBytes() => (byte[])bytes.Clone();

    /// <summary>The canonical text form, e.g. <c>/ip4/127.0.0.1/tcp/4001</c>; <c>/</c> when empty.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        text ??= components.Length == 0 ? "/" : string.Concat(components.Select(c => c.ToString()));

    /// <summary>
    /// Returns the text value of the first component with a given protocol: <see langword="null"/> when
    /// there is none, an empty string when that protocol has no value (as go-multiaddr returns).
    /// </summary>
    /// <param name="code">The protocol code, e.g. <c>MultiaddrProtocol.Tcp.Code</c>.</param>
    /// <returns>The value, or null.</returns>
    public string? ValueForProtocol(int code)
    {
        foreach (var component in components)
        {
            if (component.Protocol.Code == code)
            {
                return component.Value ?? string.Empty;
            }
        }

        return null;
    }

    /// <summary>
    /// Returns the text value of the first component with a given protocol name or alias; see
    /// <see cref="ValueForProtocol(int)"/>.
    /// </summary>
    /// <param name="name">The protocol name, e.g. <c>tcp</c>.</param>
    /// <returns>The value, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException">No known protocol has that name.</exception>
    public string? ValueForProtocol(string name) => ValueForProtocol(MultiaddrProtocol.FromName(name).Code);

    /// <summary>Whether some component has the given protocol.</summary>
    /// <param name="protocol">The protocol.</param>
    /// <returns>Whether it occurs.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="protocol"/> is null.</exception>
    public bool Contains(MultiaddrProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        return Array.Exists(components, c => c.Protocol.Code == protocol.Code);
    }

    /// <inheritdoc/>
    public bool Equals(Multiaddr? other) =>
        other is not null && (ReferenceEquals(this, other) || bytes.AsSpan().SequenceEqual(other.bytes));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Multiaddr other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    /// <summary>Value equality (by binary form).</summary>
    /// <param name="left">One address.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether both are null or equal.</returns>
    public static bool operator ==(Multiaddr? left, Multiaddr? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality (by binary form).</summary>
    /// <param name="left">One address.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Multiaddr? left, Multiaddr? right) => !(left == right);
}
