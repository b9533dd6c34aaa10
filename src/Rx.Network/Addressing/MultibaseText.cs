using Rx.Network.Errors;
using SimpleBase;

namespace Rx.Network.Addressing;

/// <summary>
/// Decodes <see href="https://github.com/multiformats/multibase">multibase</see> text from untrusted
/// input, failing only with <see cref="FormatException"/>.
/// </summary>
/// <remarks>
/// SimpleBase (5.6.4) does the work for most bases, with two gaps handled here: its base64 decoders
/// reject unpadded text whose length is a multiple of four (so we decode the four base64 variants
/// ourselves), and some of its decoders index tables by character and throw
/// <see cref="IndexOutOfRangeException"/> on non-ASCII input (so only printable ASCII is accepted,
/// which every multibase except base256emoji uses).
/// </remarks>
internal static class MultibaseText
{
    internal static byte[] Decode(string text)
    {
        if (text.Length < 2 || !IsPrintableAscii(text))
        {
            throw Error.Format($"'{AddressText.Shorten(text)}' is not multibase text (a base prefix, then printable ASCII).");
        }

        switch (text[0])
        {
            case 'm': return DecodeBase64(text.AsSpan(1), url: false, padded: false);
            case 'M': return DecodeBase64(text.AsSpan(1), url: false, padded: true);
            case 'u': return DecodeBase64(text.AsSpan(1), url: true, padded: false);
            case 'U': return DecodeBase64(text.AsSpan(1), url: true, padded: true);
        }

        try
        {
            return Multibase.Decode(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException
                                      or NotSupportedException or OverflowException or IndexOutOfRangeException)
        {
            // SimpleBase reports bad input with several exception types, depending on the base.
            throw Error.Format($"'{AddressText.Shorten(text)}' is not valid multibase.", e);
        }
    }

    internal static bool IsPrintableAscii(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] DecodeBase64(ReadOnlySpan<char> text, bool url, bool padded)
    {
        if (padded)
        {
            text = text.TrimEnd('=');
        }

        if (text.Length % 4 == 1)
        {
            throw Error.Format("The base64 text has an impossible length.");
        }

        // Translate to the standard alphabet and restore the padding Convert insists on.
        var standard = new char[(text.Length + 3) / 4 * 4];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool foreign = url ? c is '+' or '/' : c is '-' or '_';
            if (foreign || c == '=')
            {
                throw Error.Format($"The character '{c}' is not in this base64 alphabet.");
            }

            standard[i] = c switch { '-' => '+', '_' => '/', _ => c };
        }

        standard.AsSpan(text.Length).Fill('=');
        var bytes = new byte[standard.Length / 4 * 3];
        if (!Convert.TryFromBase64Chars(standard, bytes, out int written))
        {
            throw Error.Format("The text is not valid base64.");
        }

        return bytes[..written];
    }
}
