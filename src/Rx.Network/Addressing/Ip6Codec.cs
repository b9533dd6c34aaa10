using System.Buffers.Binary;
using System.Text;
using Rx.Network.Errors;

namespace Rx.Network.Addressing;

/// <summary>
/// <c>/ip6</c>: sixteen bytes, written in the canonical text form of
/// <see href="https://www.rfc-editor.org/rfc/rfc5952#section-4">RFC 5952 section 4</see>.
/// </summary>
/// <remarks>
/// <para>
/// Output follows js-multiaddr, which normalises through the WHATWG URL serializer: lowercase hex,
/// no leading zeros, the first longest run of two or more zero groups written as <c>::</c>, and
/// never a dotted quad: <c>::ffff:1.2.3.4</c> is written <c>::ffff:102:304</c>. (go-multiaddr
/// writes that one address as <c>::ffff:1.2.3.4</c>; both forms parse to the same bytes.)
/// </para>
/// <para>
/// Input is the RFC 4291 section 2.2 text form: eight groups of one to four hex digits, one
/// <c>::</c> standing for at least one zero group, and optionally a dotted quad as the last 32
/// bits. Zones (<c>%eth0</c>) belong in <c>/ip6zone</c> and are refused here, as is a bare IPv4
/// address (Go would map it; js refuses it).
/// </para>
/// </remarks>
internal sealed class Ip6Codec : ValueCodec
{
    internal static readonly Ip6Codec Instance = new();

    private const int Groups = 8;

    public override byte[] Parse(string text)
    {
        var bytes = new byte[16];
        if (!TryParse(text, bytes))
        {
            throw Error.Format($"'{AddressText.Shorten(text)}' is not an IPv6 address.");
        }

        return bytes;
    }

    public override string Format(ReadOnlySpan<byte> value)
    {
        Span<ushort> groups = stackalloc ushort[Groups];
        for (int g = 0; g < Groups; g++)
        {
            groups[g] = BinaryPrimitives.ReadUInt16BigEndian(value[(2 * g)..]);
        }

        // RFC 5952 4.2.2/4.2.3: compress the longest run of zero groups (the first one on a tie),
        // and never a lone zero group.
        int bestStart = -1;
        int bestLength = 1;
        for (int g = 0; g < Groups;)
        {
            if (groups[g] != 0)
            {
                g++;
                continue;
            }

            int start = g;
            while (g < Groups && groups[g] == 0)
            {
                g++;
            }

            if (g - start > bestLength)
            {
                bestStart = start;
                bestLength = g - start;
            }
        }

        var builder = new StringBuilder(39);
        for (int g = 0; g < Groups; g++)
        {
            if (g == bestStart)
            {
                builder.Append("::");
                g += bestLength - 1;
                continue;
            }

            if (g > 0 && g != bestStart + bestLength)
            {
                builder.Append(':');
            }

            builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"{groups[g]:x}");
        }

        return builder.ToString();
    }

    /// <summary>Parses the RFC 4291 text form into sixteen bytes.</summary>
    internal static bool TryParse(ReadOnlySpan<char> text, Span<byte> destination)
    {
        Span<ushort> groups = stackalloc ushort[Groups];
        int count = 0;
        int compressAt = -1;
        int i = 0;

        if (text.StartsWith("::"))
        {
            compressAt = 0;
            i = 2;
        }

        while (i < text.Length)
        {
            if (count == Groups)
            {
                return false;
            }

            int start = i;
            int value = 0;
            while (i < text.Length && char.IsAsciiHexDigit(text[i]))
            {
                // Only the first four digits matter; more fail the length check below.
                if (i - start < 4)
                {
                    value = (value << 4) | HexValue(text[i]);
                }

                i++;
            }

            if (i < text.Length && text[i] == '.')
            {
                // An embedded IPv4 address takes the last two groups and ends the address.
                Span<byte> ip4 = stackalloc byte[4];
                if (count > Groups - 2 || !Ip4Codec.TryParse(text[start..], ip4))
                {
                    return false;
                }

                groups[count++] = (ushort)((ip4[0] << 8) | ip4[1]);
                groups[count++] = (ushort)((ip4[2] << 8) | ip4[3]);
                i = text.Length;
                break;
            }

            int digits = i - start;
            if (digits is 0 or > 4)
            {
                return false;
            }

            groups[count++] = (ushort)value;
            if (i == text.Length)
            {
                break;
            }

            if (text[i] != ':')
            {
                return false;
            }

            i++;
            if (i < text.Length && text[i] == ':')
            {
                if (compressAt >= 0)
                {
                    return false;
                }

                compressAt = count;
                i++;
            }
            else if (i == text.Length)
            {
                // A single trailing colon.
                return false;
            }
        }

        if (compressAt < 0 ? count != Groups : count >= Groups)
        {
            // Without "::" all eight groups are needed; with it, "::" must stand for at least one
            // group (RFC 4291 2.2, and Go's net.ParseIP).
            return false;
        }

        int gap = Groups - count;
        destination[..16].Clear();
        for (int g = 0; g < count; g++)
        {
            int slot = compressAt >= 0 && g >= compressAt ? g + gap : g;
            BinaryPrimitives.WriteUInt16BigEndian(destination[(2 * slot)..], groups[g]);
        }

        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
