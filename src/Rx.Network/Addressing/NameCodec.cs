using Rx.Network.Errors;

namespace Rx.Network.Addressing;

/// <summary>
/// A length-prefixed UTF-8 name: <c>/dns</c>, <c>/dns4</c>, <c>/dns6</c>, <c>/dnsaddr</c>,
/// <c>/sni</c>, <c>/ip6zone</c>, <c>/memory</c>.
/// </summary>
/// <remarks>
/// As go-multiaddr's <c>dnsVal</c> and <c>ip6zoneVal</c>: the value must be non-empty and must not
/// contain <c>/</c>, which would break the text form. We also require well-formed UTF-8 so the text
/// form maps back to the same bytes (Go would carry arbitrary bytes in its string).
/// </remarks>
internal sealed class NameCodec : ValueCodec
{
    internal static readonly NameCodec Instance = new();

    public override byte[] Parse(string text)
    {
        Validate(text);
        return AddressText.ToUtf8(text);
    }

    public override string Format(ReadOnlySpan<byte> value)
    {
        var text = AddressText.FromUtf8(value);
        Validate(text);
        return text;
    }

    private static void Validate(string text)
    {
        if (text.Length == 0)
        {
            throw Error.Format("The name is empty.");
        }

        if (text.Contains('/', StringComparison.Ordinal))
        {
            throw Error.Format($"The name '{AddressText.Shorten(text)}' contains '/'.");
        }
    }
}
