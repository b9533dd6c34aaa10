using System.Buffers.Binary;
using System.Globalization;
using Rx.Network.Errors;

namespace Rx.Network.Addressing;

/// <summary>
/// <c>/tcp</c>, <c>/udp</c>, <c>/sctp</c>, <c>/dccp</c>: a 16-bit big-endian port, written in
/// decimal (0 to 65535).
/// </summary>
/// <remarks>
/// Leading zeros are tolerated on input, as go-multiaddr does (<c>strconv.ParseUint</c>); output is
/// always the plain decimal form.
/// </remarks>
internal sealed class PortCodec : ValueCodec
{
    internal static readonly PortCodec Instance = new();

    public override byte[] Parse(string text)
    {
        if (!AddressText.TryParseDecimal(text, ushort.MaxValue, out ulong port))
        {
            throw Error.Format($"'{AddressText.Shorten(text)}' is not a port number (0 to 65535).");
        }

        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)port);
        return bytes;
    }

    public override string Format(ReadOnlySpan<byte> value) =>
        BinaryPrimitives.ReadUInt16BigEndian(value).ToString(CultureInfo.InvariantCulture);
}
