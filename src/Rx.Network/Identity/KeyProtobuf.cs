using Google.Protobuf;
using Rx.Network.Errors;
using Proto = Rx.Network.Encoding.Proto;

namespace Rx.Network.Identity;

/// <summary>
/// Reads and writes the libp2p key messages
/// (<see href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#keys">peer-ids.md, "Keys"</see>)
/// through the generated protobuf types, turning every decoding failure into a
/// <see cref="FormatException"/>.
/// </summary>
/// <remarks>
/// Decoding is as lenient as Google.Protobuf (and go-libp2p): field order and unknown fields are
/// tolerated. Encoding is always the deterministic form the spec requires (Type then Data, minimal
/// varints, nothing else), because peer IDs are derived from it.
/// </remarks>
internal static class KeyProtobuf
{
    internal static (KeyType Type, ReadOnlyMemory<byte> Data) DecodePublic(ReadOnlySpan<byte> bytes)
    {
        var message = Parse(Proto.PublicKey.Parser, bytes, "public key");
        if (!message.HasType || !message.HasData)
        {
            throw Error.Format($"The public key message lacks its required {(message.HasType ? "Data" : "Type")} field.");
        }

        return (ToKeyType(message.Type), message.Data.Memory);
    }

    internal static byte[] EncodePublic(KeyType type, ReadOnlySpan<byte> data) =>
        new Proto.PublicKey { Type = (Proto.KeyType)type, Data = ByteString.CopyFrom(data) }.ToByteArray();

    /// <summary>Decodes a private key message; the caller must wipe <c>Data</c> once it is done with it.</summary>
    internal static (KeyType Type, ReadOnlyMemory<byte> Data) DecodePrivate(ReadOnlySpan<byte> bytes)
    {
        var message = Parse(Proto.PrivateKey.Parser, bytes, "private key");
        if (!message.HasType || !message.HasData)
        {
            throw Error.Format($"The private key message lacks its required {(message.HasType ? "Data" : "Type")} field.");
        }

        return (ToKeyType(message.Type), message.Data.Memory);
    }

    /// <summary>Encodes a private key message without copying <paramref name="data"/> into memory we cannot wipe.</summary>
    internal static byte[] EncodePrivate(KeyType type, ReadOnlyMemory<byte> data) =>
        new Proto.PrivateKey { Type = (Proto.KeyType)type, Data = UnsafeByteOperations.UnsafeWrap(data) }.ToByteArray();

    private static T Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> bytes, string what)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Error.Format($"The {what} is not a valid protobuf message: {e.Message}", e);
        }
    }

    private static KeyType ToKeyType(Proto.KeyType type) => (int)type switch
    {
        >= (int)KeyType.Rsa and <= (int)KeyType.Ecdsa => (KeyType)(int)type,
        var other => throw Error.Format($"The key type {other} is not one libp2p defines."),
    };
}
