namespace Rx.Network.Addressing;

/// <summary>
/// Converts one protocol's value between its text form (as written in a multiaddr string) and its
/// binary form (as carried on the wire).
/// </summary>
/// <remarks>
/// Both directions validate: <see cref="Parse"/> rejects text the reference implementations
/// (go-multiaddr, js-multiaddr) reject, and <see cref="Format"/> rejects bytes that have no text
/// form, so that every value we accept survives a text and a binary round trip unchanged.
/// Fixed-size values are checked for length by the caller before <see cref="Format"/> runs.
/// </remarks>
internal abstract class ValueCodec
{
    /// <summary>Converts the text form of a value to its bytes.</summary>
    /// <exception cref="FormatException">The text is not a valid value.</exception>
    public abstract byte[] Parse(string text);

    /// <summary>Validates a value's bytes and returns its canonical text form.</summary>
    /// <exception cref="FormatException">The bytes are not a valid value.</exception>
    public abstract string Format(ReadOnlySpan<byte> value);
}
