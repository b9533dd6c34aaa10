using Google.Protobuf;
using Rx.Network.Examples.KeyValue.Proto;

namespace Rx.Network.Examples.KeyValue;

/// <summary>Encodes and checks the protocol's messages; bytes from a peer that break the protocol give <see cref="WireProtocolViolationException"/>.</summary>
internal static class KeyValueCodec
{
    public static ReadOnlyMemory<byte> Encode(IMessage message) => message.ToByteArray();

    /// <exception cref="WireProtocolViolationException">The bytes are not a valid request.</exception>
    public static KvRequest DecodeRequest(ReadOnlyMemory<byte> bytes)
    {
        var request = Parse(KvRequest.Parser, bytes, "request");
        if (request.Op is not (KvRequest.Types.Op.Get or KvRequest.Types.Op.Put or KvRequest.Types.Op.Delete))
        {
            throw new WireProtocolViolationException($"Unknown key-value operation {(int)request.Op}.");
        }

        CheckKey(request.Key);
        if (request.Op != KvRequest.Types.Op.Put && !request.Value.IsEmpty)
        {
            throw new WireProtocolViolationException($"A {request.Op} request carries no value.");
        }

        if (request.Value.Length > KeyValueProtocol.MaxValueSize)
        {
            throw new WireProtocolViolationException($"A value is at most {KeyValueProtocol.MaxValueSize} bytes.");
        }

        return request;
    }

    /// <exception cref="WireProtocolViolationException">The bytes are not a valid reply.</exception>
    public static KvReply DecodeReply(ReadOnlyMemory<byte> bytes)
    {
        var reply = Parse(KvReply.Parser, bytes, "reply");
        if (reply.Status is not (KvReply.Types.Status.Ok or KvReply.Types.Status.NotFound or KvReply.Types.Status.Refused))
        {
            throw new WireProtocolViolationException($"Unknown key-value reply status {(int)reply.Status}.");
        }

        return reply;
    }

    /// <summary>Whether <paramref name="key"/> is a valid key; the reason when not.</summary>
    public static string? KeyProblem(string key) =>
        key.Length == 0 ? "A key is not empty."
        : System.Text.Encoding.UTF8.GetByteCount(key) > KeyValueProtocol.MaxKeyBytes ? $"A key is at most {KeyValueProtocol.MaxKeyBytes} UTF-8 bytes."
        : null;

    private static void CheckKey(string key)
    {
        if (KeyProblem(key) is { } problem)
        {
            throw new WireProtocolViolationException(problem);
        }
    }

    private static T Parse<T>(MessageParser<T> parser, ReadOnlyMemory<byte> bytes, string what)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new WireProtocolViolationException($"The key-value {what} does not parse: {e.Message}", e);
        }
    }
}
