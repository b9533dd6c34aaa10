using System.Buffers.Binary;
using Rx.Network.Errors;

namespace Rx.Network.Muxing;

/// <summary>
/// The 12-byte header that starts every yamux frame (spec "Framing":
/// libp2p/specs yamux/README.md#framing): version (8 bits), type (8), flags (16), stream id (32),
/// length (32), all big-endian.
/// </summary>
/// <remarks>
/// A value type with span-based <see cref="ReadFrom"/>/<see cref="WriteTo"/>, in the manner of
/// dotnet/runtime's <c>Http2Connection.FrameHeader</c>. Parsing rejects what no version of the
/// protocol defines (a version other than 0, a type above GoAway); whether the other fields make
/// sense together is the session's business. Unknown flag bits are kept and ignored, so a future
/// flag does not break the session.
/// </remarks>
internal readonly struct YamuxHeader : IEquatable<YamuxHeader>
{
    /// <summary>Bytes in a header (spec "Framing": "each header has a 12 byte overhead").</summary>
    public const int Size = 12;

    /// <summary>Where the big-endian length field starts in an encoded header.</summary>
    public const int LengthOffset = 8;

    /// <summary>The only protocol version defined (spec "Version Field": "always set to 0").</summary>
    public const byte ProtocolVersion = 0;

    /// <summary>The stream id reserved for session frames: ping and GoAway (spec "StreamID Field").</summary>
    public const uint SessionStreamId = 0;

    /// <summary>The receive window every stream starts with, in bytes (spec "Flow Control": 256KB).</summary>
    public const int InitialWindow = 256 * 1024;

    /// <summary>Creates a header.</summary>
    public YamuxHeader(YamuxFrameType type, YamuxFlags flags, uint streamId, uint length)
    {
        Type = type;
        Flags = flags;
        StreamId = streamId;
        Length = length;
    }

    /// <summary>The frame type.</summary>
    public YamuxFrameType Type { get; }

    /// <summary>The flags (SYN, ACK, FIN, RST; unknown bits are preserved).</summary>
    public YamuxFlags Flags { get; }

    /// <summary>The stream the frame addresses; 0 for session frames.</summary>
    public uint StreamId { get; }

    /// <summary>
    /// Payload length for data, window delta for window updates, opaque value for pings, error
    /// code for GoAway (spec "Length Field").
    /// </summary>
    public uint Length { get; }

    /// <summary>Whether every flag in <paramref name="flags"/> is set.</summary>
    public bool Has(YamuxFlags flags) => (Flags & flags) == flags;

    /// <summary>A data frame header for <paramref name="length"/> payload bytes.</summary>
    public static YamuxHeader Data(uint streamId, uint length, YamuxFlags flags = YamuxFlags.None) =>
        new(YamuxFrameType.Data, flags, streamId, length);

    /// <summary>A window update granting <paramref name="delta"/> more bytes, possibly with flags.</summary>
    public static YamuxHeader WindowUpdate(uint streamId, uint delta, YamuxFlags flags = YamuxFlags.None) =>
        new(YamuxFrameType.WindowUpdate, flags, streamId, delta);

    /// <summary>A ping request (SYN) or response (ACK) carrying <paramref name="opaque"/>.</summary>
    public static YamuxHeader Ping(uint opaque, bool response) =>
        new(YamuxFrameType.Ping, response ? YamuxFlags.Ack : YamuxFlags.Syn, SessionStreamId, opaque);

    /// <summary>A GoAway with an error code.</summary>
    public static YamuxHeader GoAway(uint code) => new(YamuxFrameType.GoAway, YamuxFlags.None, SessionStreamId, code);

    /// <summary>Parses a header from the first <see cref="Size"/> bytes of <paramref name="source"/>.</summary>
    /// <param name="source">At least <see cref="Size"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is shorter than <see cref="Size"/>.</exception>
    /// <exception cref="WireProtocolViolationException">The version is not 0 or the type is unknown.</exception>
    public static YamuxHeader ReadFrom(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new ArgumentException($"A yamux header needs {Size} bytes; got {source.Length}.", nameof(source));
        }

        return Parse(source);
    }

    /// <summary>Parses a header when <paramref name="source"/> holds at least <see cref="Size"/> bytes.</summary>
    /// <param name="source">Bytes received.</param>
    /// <param name="header">The header, when the result is <see langword="true"/>.</param>
    /// <returns><see langword="false"/> when fewer than <see cref="Size"/> bytes are available.</returns>
    /// <exception cref="WireProtocolViolationException">The version is not 0 or the type is unknown.</exception>
    public static bool TryRead(ReadOnlySpan<byte> source, out YamuxHeader header)
    {
        if (source.Length < Size)
        {
            header = default;
            return false;
        }

        header = Parse(source);
        return true;
    }

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="Size"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"A yamux header needs {Size} bytes; got {destination.Length}.", nameof(destination));
        }

        destination[0] = ProtocolVersion;
        destination[1] = (byte)Type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[LengthOffset..], Length);
    }

    /// <inheritdoc/>
    public bool Equals(YamuxHeader other) =>
        Type == other.Type && Flags == other.Flags && StreamId == other.StreamId && Length == other.Length;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is YamuxHeader other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, Flags, StreamId, Length);

    /// <inheritdoc/>
    public override string ToString() => $"{Type} [{Flags}] stream {StreamId} length {Length}";

    /// <summary>Equality of every field.</summary>
    public static bool operator ==(YamuxHeader left, YamuxHeader right) => left.Equals(right);

    /// <summary>Inequality of some field.</summary>
    public static bool operator !=(YamuxHeader left, YamuxHeader right) => !left.Equals(right);

    private static YamuxHeader Parse(ReadOnlySpan<byte> source)
    {
        if (source[0] != ProtocolVersion)
        {
            throw Error.Protocol($"Unsupported yamux version {source[0]}; only version {ProtocolVersion} exists.");
        }

        if (source[1] > (byte)YamuxFrameType.GoAway)
        {
            throw Error.Protocol($"Unknown yamux frame type {source[1]}.");
        }

        return new YamuxHeader(
            (YamuxFrameType)source[1],
            (YamuxFlags)BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[8..]));
    }
}
