using System.Buffers;
using CsCheck;
using Rx.Network.Encoding;

namespace Rx.Network.Tests.Encoding;

public class VarintTests
{
    // Examples from the multiformats unsigned-varint README.
    [Theory]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "8001")]
    [InlineData(255UL, "ff01")]
    [InlineData(300UL, "ac02")]
    [InlineData(16384UL, "808001")]
    [InlineData(0UL, "00")]
    [InlineData(0x7FFF_FFFF_FFFF_FFFFUL, "ffffffffffffffff7f")]
    public void Encode_SpecExamples(ulong value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(Varint.Encode(value)));
        Assert.Equal(value, Varint.Read(Convert.FromHexString(hex), out int read));
        Assert.Equal(hex.Length / 2, read);
        Assert.Equal(hex.Length / 2, Varint.GetLength(value));
    }

    [Theory]
    [InlineData("8000", VarintStatus.NotMinimal)]
    [InlineData("ff00", VarintStatus.NotMinimal)]
    [InlineData("80808000", VarintStatus.NotMinimal)]
    [InlineData("ffffffffffffffffff01", VarintStatus.Overflow)]
    [InlineData("ffffffffffffffff80", VarintStatus.Overflow)]
    [InlineData("", VarintStatus.NeedMoreData)]
    [InlineData("80", VarintStatus.NeedMoreData)]
    [InlineData("ffff", VarintStatus.NeedMoreData)]
    public void TryRead_RejectsMalformed(string hex, VarintStatus expected)
    {
        Assert.Equal(expected, Varint.TryRead(Convert.FromHexString(hex), out _, out _));
        Assert.Throws<WireProtocolViolationException>(() => Varint.Read(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void Encode_AboveMaxValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Varint.Encode(Varint.MaxValue + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Varint.GetLength(ulong.MaxValue));
    }

    [Fact]
    public void Write_DestinationTooSmall_Throws()
    {
        Assert.Throws<ArgumentException>(() => Varint.Write(new byte[1], 300));
        Assert.Throws<ArgumentNullException>(() => Varint.Write((IBufferWriter<byte>)null!, 1));
    }

    [Fact]
    public void RoundTrip_Property()
    {
        Gen.ULong[0, Varint.MaxValue].Sample(value =>
        {
            var bytes = Varint.Encode(value);
            Assert.Equal(Varint.GetLength(value), bytes.Length);
            Assert.Equal(VarintStatus.Done, Varint.TryRead(bytes, out ulong decoded, out int read));
            Assert.Equal(value, decoded);
            Assert.Equal(bytes.Length, read);
        });
    }

    [Fact]
    public void TryRead_RandomBytes_NeverThrows()
    {
        Gen.Byte.Array[0, 12].Sample(bytes =>
        {
            var status = Varint.TryRead(bytes, out ulong value, out int read);
            if (status == VarintStatus.Done)
            {
                // Whatever decodes must re-encode to exactly the bytes consumed (minimality).
                Assert.Equal(bytes[..read], Varint.Encode(value));
            }
            else
            {
                Assert.Throws<WireProtocolViolationException>(() => Varint.Read(bytes, out _));
            }
        });
    }

    [Fact]
    public void TryRead_MultiSegmentSequence_MatchesSpan()
    {
        Gen.ULong[0, Varint.MaxValue].Select(Gen.Int[0, 9]).Sample((value, split) =>
        {
            var bytes = Varint.Encode(value);
            split = Math.Min(split, bytes.Length);
            var sequence = Segments.Create(bytes[..split], bytes[split..]);
            Assert.Equal(VarintStatus.Done, Varint.TryRead(sequence, out ulong decoded, out int read));
            Assert.Equal(value, decoded);
            Assert.Equal(bytes.Length, read);
        });
    }

    [Fact]
    public async Task ReadAsync_Stream_ReadsExactlyTheVarint()
    {
        var stream = new MemoryStream([0xAC, 0x02, 0x42]);
        Assert.Equal(300UL, await Varint.ReadAsync(stream));
        Assert.Equal(2, stream.Position);
        Assert.Null(await Varint.ReadAsync(new MemoryStream()));
        await Assert.ThrowsAsync<WireProtocolViolationException>(async () => await Varint.ReadAsync(new MemoryStream([0x80])));
        await Assert.ThrowsAsync<WireProtocolViolationException>(async () => await Varint.ReadAsync(new MemoryStream([0x80, 0x00])));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Varint.ReadAsync(null!));
    }

    [Fact]
    public async Task WriteAsync_Stream_WritesEncoding()
    {
        var stream = new MemoryStream();
        await Varint.WriteAsync(stream, 16384);
        Assert.Equal([0x80, 0x80, 0x01], stream.ToArray());
    }
}
