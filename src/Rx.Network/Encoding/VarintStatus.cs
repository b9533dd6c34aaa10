namespace Rx.Network.Encoding;

/// <summary>The outcome of trying to decode an unsigned varint from a buffer.</summary>
public enum VarintStatus
{
    /// <summary>A complete, valid varint was decoded.</summary>
    Done,

    /// <summary>The buffer ends inside the varint: more bytes are needed.</summary>
    NeedMoreData,

    /// <summary>The varint is longer than 9 bytes or does not fit in 63 bits.</summary>
    Overflow,

    /// <summary>The varint is not minimally encoded (it ends with a redundant zero byte).</summary>
    NotMinimal,
}
