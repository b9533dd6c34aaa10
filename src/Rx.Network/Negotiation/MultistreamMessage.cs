using System.Buffers;
using System.Text;
using Rx.Network.Encoding;
using Rx.Network.Errors;

namespace Rx.Network.Negotiation;

/// <summary>
/// The multistream-select message codec: a uvarint length, then UTF-8 text, then <c>'\n'</c>, the
/// newline counted in the length
/// (<see href="https://github.com/libp2p/specs/blob/master/connections/README.md#multistream-select">connections, multistream-select</see>).
/// </summary>
internal static class MultistreamMessage
{
    private const byte NewLine = (byte)'\n';

    // Strict decoding: invalid UTF-8 from the remote is a protocol violation, not U+FFFD that might
    // then match a handler by accident.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns the UTF-8 length of <paramref name="text"/>, or -1 when it cannot be encoded (an unpaired surrogate).</summary>
    public static int GetTextLength(string text)
    {
        try
        {
            return Utf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            return -1;
        }
    }

    /// <summary>Appends one framed message to <paramref name="writer"/>.</summary>
    public static void Write(IBufferWriter<byte> writer, string text)
    {
        int length = Utf8.GetByteCount(text) + 1;
        var span = writer.GetSpan(Varint.MaxLength + length);
        int offset = Varint.Write(span, (ulong)length);
        offset += Utf8.GetBytes(text, span[offset..]);
        span[offset++] = NewLine;
        writer.Advance(offset);
    }

    /// <summary>Frames a batch of messages into one buffer, ready for a single write.</summary>
    public static ReadOnlyMemory<byte> Frame(params ReadOnlySpan<string> texts)
    {
        var writer = new ArrayBufferWriter<byte>();
        foreach (var text in texts)
        {
            Write(writer, text);
        }

        return writer.WrittenMemory;
    }

    /// <summary>
    /// Frames the answer to <c>ls</c>: one message whose payload is each protocol framed as a
    /// message of its own, followed by a final newline (the shape go-multistream and js-libp2p's
    /// multistream-select produce: <c>&lt;len&gt;(&lt;len&gt;proto\n)*\n</c>).
    /// </summary>
    public static ReadOnlyMemory<byte> FrameList(IEnumerable<string> protocols)
    {
        var inner = new ArrayBufferWriter<byte>();
        foreach (var protocol in protocols)
        {
            Write(inner, protocol);
        }

        inner.GetSpan(1)[0] = NewLine;
        inner.Advance(1);

        var outer = new ArrayBufferWriter<byte>(LengthPrefixed.GetFramedLength(inner.WrittenCount));
        LengthPrefixed.Write(outer, inner.WrittenSpan);
        return outer.WrittenMemory;
    }

    /// <summary>Checks the payload's trailing newline and decodes the text before it.</summary>
    /// <exception cref="WireProtocolViolationException">No trailing newline, or invalid UTF-8.</exception>
    public static string Decode(in ReadOnlySequence<byte> payload)
    {
        if (payload.IsEmpty)
        {
            throw Error.Protocol("A multistream-select message is empty (it needs at least its trailing newline).");
        }

        if (!EndsWithNewLine(payload))
        {
            throw Error.Protocol("A multistream-select message does not end with a newline.");
        }

        var text = payload.Slice(0, payload.Length - 1);
        try
        {
            return Utf8.GetString(text);
        }
        catch (DecoderFallbackException e)
        {
            throw Error.Protocol("A multistream-select message is not valid UTF-8.", e);
        }
    }

    /// <summary>Parses the payload of an <c>ls</c> answer (see <see cref="FrameList"/>).</summary>
    /// <exception cref="WireProtocolViolationException">The payload is not a list of messages followed by a newline.</exception>
    public static IReadOnlyList<string> ParseList(ReadOnlySequence<byte> payload)
    {
        if (payload.IsEmpty || !EndsWithNewLine(payload))
        {
            throw Error.Protocol("An ls answer does not end with a newline.");
        }

        var rest = payload.Slice(0, payload.Length - 1);
        var protocols = new List<string>();
        while (!rest.IsEmpty)
        {
            if (!LengthPrefixed.TryRead(ref rest, out var line, MultistreamSelect.MaxMessageLength))
            {
                throw Error.Truncated("ls answer");
            }

            protocols.Add(Decode(line));
        }

        return protocols;
    }

    private static bool EndsWithNewLine(in ReadOnlySequence<byte> payload)
    {
        // Not payload.Slice(^1).FirstSpan: a slice can begin at the end of a segment, leaving its
        // first span empty.
        Span<byte> last = stackalloc byte[1];
        payload.Slice(payload.Length - 1).CopyTo(last);
        return last[0] == NewLine;
    }
}
