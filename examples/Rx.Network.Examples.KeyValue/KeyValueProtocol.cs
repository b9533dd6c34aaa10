namespace Rx.Network.Examples.KeyValue;

/// <summary>
/// The <c>/rxnet/kv/1.0.0</c> protocol: one request per stream on Rx.Network's request/reply
/// service, the payloads being the protobuf messages of <c>Proto/kv.proto</c>.
/// </summary>
/// <remarks>
/// A request is <c>KvRequest { op, key, value }</c> with <c>op</c> one of GET, PUT, DELETE; the reply
/// is <c>KvReply { status, value, error }</c>: OK (with the value for GET), NOT_FOUND (GET or DELETE
/// of a missing key) or REFUSED (a store limit, with a reason). A request that does not parse, or
/// breaks the protocol's own limits below, is not answered: the store resets the stream and the
/// client sees <see cref="RequestFailedException"/>.
/// </remarks>
public static class KeyValueProtocol
{
    /// <summary>The protocol id.</summary>
    public const string ProtocolId = "/rxnet/kv/1.0.0";

    /// <summary>The longest key, in UTF-8 bytes. Keys are non-empty.</summary>
    public const int MaxKeyBytes = 256;

    /// <summary>The largest value, in bytes (a store may set a lower limit of its own).</summary>
    public const int MaxValueSize = 64 * 1024;

    /// <summary>The largest encoded message: a key, a value and a few bytes of field tags and lengths.</summary>
    internal const int MaxMessageSize = MaxKeyBytes + MaxValueSize + 64;
}
