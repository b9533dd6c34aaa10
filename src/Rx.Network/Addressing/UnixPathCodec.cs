using System.Text;
using Rx.Network.Errors;

namespace Rx.Network.Addressing;

/// <summary>
/// <c>/unix</c>: a socket path. It is a path protocol: in text it takes the rest of the address,
/// so <c>/unix/tmp/p2p.sock</c> carries the path <c>/tmp/p2p.sock</c>.
/// </summary>
/// <remarks>
/// <para>
/// The binary value is the absolute path; as go-multiaddr's <c>unixValidate</c> requires, it starts
/// with <c>/</c>, is at least two bytes and does not end with <c>/</c>. The text form is
/// go-multiaddr's: <c>/unix</c> followed directly by the path.
/// </para>
/// <para>
/// js-multiaddr does not treat <c>unix</c> as a path protocol; it writes the path percent-encoded
/// in one segment (<c>/unix/%2Ftmp%2Fp2p.sock</c>), which carries the same bytes. We accept that form
/// when the single segment starts with <c>%2F</c>, and we write it only when the Go form would be
/// read back that way (a path whose only segment starts with a literal <c>%2F</c>).
/// </para>
/// </remarks>
internal sealed class UnixPathCodec : ValueCodec
{
    internal static readonly UnixPathCodec Instance = new();

    /// <summary>Parses the rest of a multiaddr string, starting with its leading <c>/</c>.</summary>
    public override byte[] Parse(string text)
    {
        byte[] path = IsPercentEncodedForm(text) ? PercentDecode(text.AsSpan(1)) : AddressText.ToUtf8(text);
        Validate(path);
        return path;
    }

    public override string Format(ReadOnlySpan<byte> value)
    {
        Validate(value);
        var path = AddressText.FromUtf8(value);
        return IsPercentEncodedForm(path) ? "/" + PercentEncode(value) : path;
    }

    private static bool IsPercentEncodedForm(string text) =>
        text.Length > 3 && text.IndexOf('/', 1) < 0 && text.AsSpan(1, 3).Equals("%2F", StringComparison.OrdinalIgnoreCase);

    private static void Validate(ReadOnlySpan<byte> path)
    {
        if (path.Length < 2 || path[0] != '/' || path[^1] == '/')
        {
            throw Error.Format("A unix socket path must start with '/', not end with '/', and name something.");
        }

        // The text form must map back to the same bytes.
        _ = AddressText.FromUtf8(path);
    }

    private static byte[] PercentDecode(ReadOnlySpan<char> text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    throw Error.Format("The unix path has a malformed percent escape.");
                }

                bytes.Add((byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else if (char.IsSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsSurrogatePair(c, text[i + 1]))
                {
                    throw Error.Format("The unix path contains an unpaired surrogate.");
                }

                int n = new Rune(c, text[i + 1]).EncodeToUtf8(utf8);
                bytes.AddRange(utf8[..n]);
                i++;
            }
            else
            {
                int n = new Rune(c).EncodeToUtf8(utf8);
                bytes.AddRange(utf8[..n]);
            }
        }

        return [.. bytes];
    }

    // encodeURIComponent's unreserved set, so js-multiaddr reads what we write.
    private static string PercentEncode(ReadOnlySpan<byte> value)
    {
        var builder = new StringBuilder(value.Length * 3);
        foreach (byte b in value)
        {
            if (char.IsAsciiLetterOrDigit((char)b) || "-_.!~*'()".Contains((char)b, StringComparison.Ordinal))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(Convert.ToHexString([b]));
            }
        }

        return builder.ToString();
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
