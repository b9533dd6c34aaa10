using System.Globalization;
using Rx.Network.Errors;

namespace Rx.Network.Addressing;

/// <summary>
/// <c>/ip4</c>: four bytes, written as a dotted quad.
/// </summary>
/// <remarks>
/// Only the strict dotted-decimal form is accepted: four parts of one to three digits, no leading
/// zeros (Go's <c>net.ParseIP</c> refuses them since Go 1.17, because some stacks read them as octal).
/// Shorthands such as <c>127.1</c> or <c>0x7f.0.0.1</c>, which <c>IPAddress.Parse</c> would take,
/// are refused.
/// </remarks>
internal sealed class Ip4Codec : ValueCodec
{
    internal static readonly Ip4Codec Instance = new();

    public override byte[] Parse(string text)
    {
        var bytes = new byte[4];
        if (!TryParse(text, bytes))
        {
            throw Error.Format($"'{AddressText.Shorten(text)}' is not an IPv4 address in dotted-decimal form.");
        }

        return bytes;
    }

    public override string Format(ReadOnlySpan<byte> value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value[0]}.{value[1]}.{value[2]}.{value[3]}");

    /// <summary>Parses exactly a dotted quad into four bytes.</summary>
    internal static bool TryParse(ReadOnlySpan<char> text, Span<byte> destination)
    {
        int i = 0;
        for (int part = 0; part < 4; part++)
        {
            if (part > 0)
            {
                if (i >= text.Length || text[i] != '.')
                {
                    return false;
                }

                i++;
            }

            int start = i;
            int value = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]) && i - start < 3)
            {
                value = (value * 10) + (text[i] - '0');
                i++;
            }

            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }

            destination[part] = (byte)value;
        }

        return i == text.Length;
    }
}
