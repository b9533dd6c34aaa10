using System.Buffers;
using System.Text.Unicode;
using Rx.Network.Errors;

namespace Rx.Network.Addressing;

/// <summary>Small text helpers shared by the value codecs.</summary>
internal static class AddressText
{
    /// <summary>Shortens untrusted text before it goes into an exception message.</summary>
    internal static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");

    /// <summary>
    /// Parses one or more ASCII digits as a decimal number no greater than <paramref name="max"/>.
    /// Signs, spaces and other characters that <c>ulong.Parse</c> would tolerate are refused.
    /// </summary>
    internal static bool TryParseDecimal(ReadOnlySpan<char> text, ulong max, out ulong value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (ulong)(c - '0');
            if (value > max)
            {
                // Stops before the multiplication above could overflow.
                return false;
            }
        }

        return true;
    }

    /// <summary>Encodes text as UTF-8, refusing lone surrogates instead of replacing them.</summary>
    /// <exception cref="FormatException">The text is not well-formed UTF-16.</exception>
    internal static byte[] ToUtf8(string text)
    {
        var buffer = new byte[System.Text.Encoding.UTF8.GetMaxByteCount(text.Length)];
        var status = Utf8.FromUtf16(text, buffer, out _, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            throw Error.Format("The value contains an unpaired surrogate and has no UTF-8 form.");
        }

        return buffer[..written];
    }

    /// <summary>Decodes UTF-8, refusing malformed sequences instead of replacing them.</summary>
    /// <exception cref="FormatException">The bytes are not well-formed UTF-8.</exception>
    internal static string FromUtf8(ReadOnlySpan<byte> bytes)
    {
        if (!Utf8.IsValid(bytes))
        {
            throw Error.Format("The value is not well-formed UTF-8.");
        }

        return System.Text.Encoding.UTF8.GetString(bytes);
    }
}
