using CsCheck;
using Rx.Network.Encoding;
using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

public class ReceiveBufferTests
{
    [Fact]
    public void AppendAndRead_InRandomPieces_PreserveBytes_Property() =>
        Gen.Select(Gen.Byte.Array[0, 200_000], Gen.Int[1, 70_000], Gen.Int[1, 70_000]).Sample((data, appendSize, readSize) =>
        {
            var buffer = new ReceiveBuffer();
            var output = new List<byte>();
            var read = new byte[readSize];
            for (var i = 0; i < data.Length; i += appendSize)
            {
                var piece = data.AsSpan(i, Math.Min(appendSize, data.Length - i));
                buffer.Append(piece, data.Length - i - piece.Length);
                if ((i / appendSize) % 2 == 0)
                {
                    var n = buffer.Read(read);
                    output.AddRange(read.AsSpan(0, n).ToArray());
                }
            }

            DrainAndCompare(buffer, read, output, data);
        }, iter: 200);

    [Fact]
    public void Clear_DropsEverything()
    {
        var buffer = new ReceiveBuffer();
        buffer.Append(new byte[100_000]);
        Assert.Equal(100_000, buffer.Clear());
        Assert.Equal(0, buffer.Length);
        buffer.Append(new byte[] { 5 });
        var one = new byte[4];
        Assert.Equal(1, buffer.Read(one));
        Assert.Equal(5, one[0]);
    }

    [Fact]
    public void AppendAdoptAndRead_Interleaved_PreserveBytes_Property() =>
        Gen.Select(Gen.Byte.Array[0, 200_000], Gen.Int[1, 70_000], Gen.Int[1, 70_000], Gen.Int[0, 40]).Sample((data, pieceSize, readSize, offset) =>
        {
            var buffer = new ReceiveBuffer();
            var output = new List<byte>();
            var read = new byte[readSize];
            for (var i = 0; i < data.Length; i += pieceSize)
            {
                var piece = data.AsSpan(i, Math.Min(pieceSize, data.Length - i));
                if ((i / pieceSize) % 3 == 1)
                {
                    // As the session hands over a chunk: a header's worth of other bytes, then payload.
                    var chunk = PooledBuffer.Rent(offset + piece.Length);
                    piece.CopyTo(chunk.Span[offset..]);
                    buffer.Adopt(chunk, offset);
                }
                else
                {
                    buffer.Append(piece);
                }

                Assert.Equal(i + piece.Length, output.Count + buffer.Length);
                if ((i / pieceSize) % 2 == 0)
                {
                    var n = buffer.Read(read);
                    output.AddRange(read.AsSpan(0, n).ToArray());
                }
            }

            DrainAndCompare(buffer, read, output, data);
        }, iter: 200);

    [Fact]
    public void Clear_AfterAdopt_DropsEverything()
    {
        var buffer = new ReceiveBuffer();
        buffer.Append(new byte[] { 1, 2 });
        buffer.Adopt(PooledBuffer.CopyOf(new byte[] { 0, 0, 3, 4, 5 }), 2);
        Assert.Equal(5, buffer.Length);
        var two = new byte[2];
        Assert.Equal(2, buffer.Read(two));
        Assert.Equal(3, buffer.Clear());
        Assert.Equal(0, buffer.Length);
        Assert.Equal(0, buffer.Read(two));
    }

    /// <summary>Reads the buffer to its end and checks that everything read, in order, is <paramref name="data"/>.</summary>
    private static void DrainAndCompare(ReceiveBuffer buffer, byte[] read, List<byte> output, byte[] data)
    {
        while (buffer.Length > 0)
        {
            var n = buffer.Read(read);
            Assert.True(n > 0);
            output.AddRange(read.AsSpan(0, n).ToArray());
        }

        Assert.Equal(data, output.ToArray());
        Assert.Equal(0, buffer.Read(read));
    }
}
