using System.Buffers;

namespace Rx.Network.Encoding;

/// <summary>
/// A byte buffer rented from <see cref="ArrayPool{T}.Shared"/> with the count of bytes in use:
/// the unit that moves through a connection's Dataflow pipeline.
/// </summary>
/// <remarks>
/// Ownership moves with the value: whoever holds it last calls <see cref="Return"/> exactly once
/// (a buffer dropped without being returned is only collected by the GC, never corrupted). A
/// <c>readonly struct</c>, so posting it to a Dataflow block allocates nothing.
/// </remarks>
internal readonly struct PooledBuffer
{
    private readonly byte[]? array;

    private PooledBuffer(byte[] array, int length)
    {
        this.array = array;
        Length = length;
    }

    /// <summary>The bytes in use.</summary>
    public int Length { get; }

    /// <summary>Whether this is the default (no array) value.</summary>
    public bool IsEmpty => array is null || Length == 0;

    /// <summary>The whole rented array (its length may exceed <see cref="Length"/>).</summary>
    public byte[] Array => array ?? [];

    /// <summary>The bytes in use.</summary>
    public Memory<byte> Memory => Array.AsMemory(0, Length);

    /// <summary>The bytes in use.</summary>
    public Span<byte> Span => Array.AsSpan(0, Length);

    /// <summary>Rents a buffer of at least <paramref name="length"/> bytes, with <see cref="Length"/> set to it.</summary>
    public static PooledBuffer Rent(int length) => new(ArrayPool<byte>.Shared.Rent(Math.Max(length, 1)), length);

    /// <summary>Rents a buffer and copies <paramref name="data"/> into it.</summary>
    public static PooledBuffer CopyOf(ReadOnlySpan<byte> data)
    {
        var buffer = Rent(data.Length);
        data.CopyTo(buffer.Array);
        return buffer;
    }

    /// <summary>The same array with a different count of bytes in use (at most the array's length).</summary>
    public PooledBuffer WithLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Array.Length);
        return new PooledBuffer(Array, length);
    }

    /// <summary>Gives the array back to the pool. Call once, by the last owner.</summary>
    public void Return()
    {
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
