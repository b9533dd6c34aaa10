using CsCheck;
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

            while (buffer.Length > 0)
            {
                var n = buffer.Read(read);
                Assert.True(n > 0);
                output.AddRange(read.AsSpan(0, n).ToArray());
            }

            Assert.Equal(data, output.ToArray());
            Assert.Equal(0, buffer.Read(read));
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
}
