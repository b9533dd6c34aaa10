using System.Globalization;
using Rx.Network.Errors;

namespace Rx.Network.Addressing;

/// <summary><c>/ipcidr</c>: one byte (a prefix length), written in decimal.</summary>
internal sealed class ByteCodec : ValueCodec
{
    internal static readonly ByteCodec Instance = new();

    public override byte[] Parse(string text)
    {
        if (!AddressText.TryParseDecimal(text, byte.MaxValue, out ulong value))
        {
            throw Error.Format($"'{AddressText.Shorten(text)}' is not a number from 0 to 255.");
        }

        return [(byte)value];
    }

    public override string Format(ReadOnlySpan<byte> value) => value[0].ToString(CultureInfo.InvariantCulture);
}
