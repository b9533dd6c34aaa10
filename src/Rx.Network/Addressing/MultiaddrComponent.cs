using Rx.Network.Encoding;

namespace Rx.Network.Addressing;

/// <summary>
/// One component of a <see cref="Multiaddr"/>: a protocol and, when the protocol has one, its value
/// (e.g. <c>/tcp/4001</c>). Immutable; equal when protocol and value bytes are equal.
/// </summary>
public sealed class MultiaddrComponent : IEquatable<MultiaddrComponent>
{
    private readonly byte[] rawValue;

    /// <summary>Creates a component from a protocol and the text form of its value.</summary>
    /// <param name="protocol">The protocol.</param>
    /// <param name="value">The value in text form (e.g. <c>4001</c>), or null for a protocol without a value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="protocol"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="value"/> is null but the protocol needs a value, or not null but the protocol has none.
    /// </exception>
    /// <exception cref="FormatException"><paramref name="value"/> is not a valid value for the protocol.</exception>
    public MultiaddrComponent(MultiaddrProtocol protocol, string? value = null)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        Protocol = protocol;
        if (protocol.Codec is null)
        {
            if (value is not null)
            {
                throw new ArgumentException($"The /{protocol.Name} protocol takes no value.", nameof(value));
            }

            rawValue = [];
            return;
        }

        if (value is null)
        {
            throw new ArgumentException($"The /{protocol.Name} protocol needs a value.", nameof(value));
        }

        rawValue = protocol.Codec.Parse(value);
        Value = protocol.BytesToValue(rawValue);
    }

    private MultiaddrComponent(MultiaddrProtocol protocol, byte[] rawValue, string? value)
    {
        Protocol = protocol;
        this.rawValue = rawValue;
        Value = value;
    }

    /// <summary>The protocol.</summary>
    public MultiaddrProtocol Protocol { get; }

    /// <summary>
    /// The value in canonical text form, as it appears in the address after the protocol name
    /// (for <c>/unix</c>, the path), or null when the protocol has no value.
    /// </summary>
    public string? Value { get; }

    /// <summary>The value in binary form, without the length prefix; empty when the protocol has no value.</summary>
    public ReadOnlyMemory<byte> RawValue => rawValue;

    /// <summary>The number of bytes this component takes in a multiaddr's binary form.</summary>
    internal int EncodedLength =>
        Protocol.EncodedCode.Length
        + (Protocol.IsVariableSize ? Varint.GetLength((ulong)rawValue.Length) : 0)
        + rawValue.Length;

    /// <summary>The component's text form, e.g. <c>/tcp/4001</c> or <c>/unix/tmp/p2p.sock</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Value switch
    {
        null => "/" + Protocol.Name,
        _ when Protocol.IsPath && Value.StartsWith('/') => "/" + Protocol.Name + Value,
        _ => "/" + Protocol.Name + "/" + Value,
    };

    /// <inheritdoc/>
    public bool Equals(MultiaddrComponent? other) =>
        other is not null && Protocol.Code == other.Protocol.Code && rawValue.AsSpan().SequenceEqual(other.rawValue);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MultiaddrComponent other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Protocol.Code);
        hash.AddBytes(rawValue);
        return hash.ToHashCode();
    }

    /// <summary>Builds a component from validated bytes; <paramref name="value"/> is their text form.</summary>
    internal static MultiaddrComponent FromValidated(MultiaddrProtocol protocol, byte[] rawValue, string? value) =>
        new(protocol, rawValue, value);

    /// <summary>Writes the component's binary form: code, length prefix when variable, value.</summary>
    internal int WriteTo(Span<byte> destination)
    {
        Protocol.EncodedCode.CopyTo(destination);
        int offset = Protocol.EncodedCode.Length;
        if (Protocol.IsVariableSize)
        {
            offset += Varint.Write(destination[offset..], (ulong)rawValue.Length);
        }

        rawValue.CopyTo(destination[offset..]);
        return offset + rawValue.Length;
    }
}
