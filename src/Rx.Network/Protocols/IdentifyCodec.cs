using Google.Protobuf;
using Rx.Network.Addressing;
using Rx.Network.Encoding;
using Rx.Network.Identity;
using Proto = Rx.Network.Encoding.Proto;

namespace Rx.Network.Protocols;

/// <summary>The fields of one or more identify messages, decoded and validated.</summary>
internal sealed record IdentifyContent(
    string? ProtocolVersion,
    string? AgentVersion,
    PublicKey? PublicKey,
    IReadOnlyList<Multiaddr> ListenAddresses,
    Multiaddr? ObservedAddress,
    IReadOnlyList<string> Protocols)
{
    public static IdentifyContent Empty { get; } = new(null, null, null, [], null, []);
}

/// <summary>
/// Encodes and decodes the identify protobuf message
/// (<see href="https://github.com/libp2p/specs/blob/master/identify/README.md#the-identify-message">spec</see>).
/// </summary>
/// <remarks>
/// Decoding is lenient where go-libp2p and js-libp2p are: listen addresses that do not parse are
/// skipped, an unparsable observed address is dropped, and <c>signedPeerRecord</c> is ignored (the
/// spec lets an implementation without signed envelopes use <c>listenAddrs</c>). A message that is
/// not protobuf, or a public key that is not a key, is a <see cref="WireProtocolViolationException"/>.
/// </remarks>
internal static class IdentifyCodec
{
    // Protobuf tag bytes of the repeated fields, one byte each (field numbers 2 and 3).
    private const int TagSize = 1;

    /// <summary>Encodes <paramref name="content"/> as one message, or several when the repeated fields do not fit in <paramref name="maxMessageSize"/>.</summary>
    /// <returns>The payloads (not yet length-prefixed); addresses and protocols beyond <paramref name="maxMessages"/> messages are dropped and counted in <paramref name="dropped"/>.</returns>
    public static List<byte[]> Encode(IdentifyContent content, int maxMessageSize, int maxMessages, out int dropped)
    {
        dropped = 0;
        var first = new Proto.Identify();
        if (content.ProtocolVersion is not null)
        {
            first.ProtocolVersion = content.ProtocolVersion;
        }

        if (content.AgentVersion is not null)
        {
            first.AgentVersion = content.AgentVersion;
        }

        if (content.PublicKey is not null)
        {
            first.PublicKey = ByteString.CopyFrom(content.PublicKey.ToProtobuf());
        }

        if (content.ObservedAddress is not null)
        {
            first.ObservedAddr = ByteString.CopyFrom(content.ObservedAddress.Bytes.Span);
        }

        // The repeated fields are spread over follow-up messages when needed, the multi-message form
        // go-libp2p and js-libp2p read (libp2p/specs#709); the scalars stay in the first one.
        var messages = new List<Proto.Identify> { first };
        var current = first;
        int size = first.CalculateSize();
        foreach (var address in content.ListenAddresses)
        {
            var bytes = ByteString.CopyFrom(address.Bytes.Span);
            if (Fits(ref current, ref size, FieldSize(bytes.Length), messages, maxMessageSize, maxMessages))
            {
                current.ListenAddrs.Add(bytes);
            }
            else
            {
                dropped++;
            }
        }

        foreach (var protocol in content.Protocols)
        {
            if (Fits(ref current, ref size, FieldSize(System.Text.Encoding.UTF8.GetByteCount(protocol)), messages, maxMessageSize, maxMessages))
            {
                current.Protocols.Add(protocol);
            }
            else
            {
                dropped++;
            }
        }

        return messages.ConvertAll(m => m.ToByteArray());
    }

    /// <summary>Decodes one message, without bounds on its entries (the service reads through an <see cref="IdentifyReader"/> with bounds).</summary>
    /// <exception cref="WireProtocolViolationException">The bytes are not an identify message, or its public key is malformed.</exception>
    public static IdentifyContent Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new IdentifyReader(int.MaxValue, int.MaxValue);
        reader.Add(payload);
        return reader.Content;
    }

    private static int FieldSize(int length) => TagSize + Varint.GetLength((ulong)length) + length;

    /// <summary>Makes room for a field of <paramref name="fieldSize"/> bytes, starting a new message when the current one is full.</summary>
    private static bool Fits(ref Proto.Identify current, ref int size, int fieldSize, List<Proto.Identify> messages, int maxMessageSize, int maxMessages)
    {
        if (size + fieldSize <= maxMessageSize || size == 0)
        {
            size += fieldSize;
            return true;
        }

        if (messages.Count >= maxMessages)
        {
            return false;
        }

        current = new Proto.Identify();
        messages.Add(current);
        size = fieldSize;
        return true;
    }
}
