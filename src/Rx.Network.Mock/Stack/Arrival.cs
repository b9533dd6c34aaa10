namespace Rx.Network.Mock.Stack;

/// <summary>What reaches the far end of a mock connection: bytes, the end of the stream, or a reset.</summary>
internal readonly record struct Arrival(ArrivalKind Kind, ReadOnlyMemory<byte> Data)
{
    public static Arrival End => new(ArrivalKind.End, default);

    public static Arrival Reset => new(ArrivalKind.Reset, default);
}

/// <summary>The kinds of <see cref="Arrival"/>.</summary>
internal enum ArrivalKind
{
    Data,
    End,
    Reset,
}
