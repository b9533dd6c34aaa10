using CsCheck;
using Rx.Network.Muxing;

namespace Rx.Network.Tests.Muxing;

public class YamuxHeaderTests
{
    private static readonly Gen<YamuxHeader> AnyHeader =
        Gen.Select(Gen.Byte[0, 3], Gen.UShort, Gen.UInt, Gen.UInt)
            .Select((type, flags, id, length) => new YamuxHeader((YamuxFrameType)type, (YamuxFlags)flags, id, length));

    [Fact]
    public void Constants_FollowTheSpec()
    {
        Assert.Equal(12, YamuxHeader.Size);
        Assert.Equal(0, YamuxHeader.ProtocolVersion);
        Assert.Equal(256 * 1024, YamuxHeader.InitialWindow);
        Assert.Equal(0u, YamuxHeader.SessionStreamId);
        Assert.Equal([0, 1, 2, 3], Enum.GetValues<YamuxFrameType>().Select(t => (int)t));
        Assert.Equal([0, 1, 2, 4, 8], Enum.GetValues<YamuxFlags>().Select(f => (int)f));
        Assert.Equal([0u, 1u, 2u], Enum.GetValues<YamuxGoAwayCode>().Select(c => (uint)c));
    }

    [Fact]
    public void WriteTo_WritesBigEndianFields()
    {
        var bytes = new byte[YamuxHeader.Size];
        new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn | YamuxFlags.Fin, 0x01020304, 0xA0B0C0D0).WriteTo(bytes);
        Assert.Equal([0, 1, 0, 5, 1, 2, 3, 4, 0xA0, 0xB0, 0xC0, 0xD0], bytes);
    }

    [Fact]
    public void WriteTo_ReadFrom_RoundTrip_Property() =>
        AnyHeader.Sample(header =>
        {
            var bytes = new byte[YamuxHeader.Size + 3];
            header.WriteTo(bytes);
            Assert.Equal(header, YamuxHeader.ReadFrom(bytes));
            Assert.True(YamuxHeader.TryRead(bytes.AsSpan(0, YamuxHeader.Size), out var read));
            Assert.Equal(header, read);
        });

    [Fact]
    public void TryRead_FewerThanTwelveBytes_ReturnsFalse()
    {
        Assert.False(YamuxHeader.TryRead(new byte[11], out var header));
        Assert.Equal(default, header);
        Assert.False(YamuxHeader.TryRead([], out _));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(255, 0)]
    [InlineData(0, 4)]
    [InlineData(0, 255)]
    public void ReadFrom_UnknownVersionOrType_ThrowsProtocolViolation(byte version, byte type)
    {
        var bytes = new byte[YamuxHeader.Size];
        bytes[0] = version;
        bytes[1] = type;
        Assert.Throws<WireProtocolViolationException>(() => YamuxHeader.ReadFrom(bytes));
        Assert.Throws<WireProtocolViolationException>(() => YamuxHeader.TryRead(bytes, out _));
    }

    [Fact]
    public void ReadFrom_RandomBytes_OnlyTypedFailures_Property() =>
        Gen.Byte.Array[YamuxHeader.Size].Sample(bytes =>
        {
            try
            {
                var header = YamuxHeader.ReadFrom(bytes);
                Assert.Equal(0, bytes[0]);
                Assert.True(bytes[1] <= 3);
                Assert.Equal((YamuxFrameType)bytes[1], header.Type);
            }
            catch (WireProtocolViolationException)
            {
                Assert.True(bytes[0] != 0 || bytes[1] > 3);
            }
        }, iter: 5000);

    [Fact]
    public void ReadFrom_UnknownFlags_AreKept()
    {
        var bytes = new byte[YamuxHeader.Size];
        bytes[2] = 0x80;
        bytes[3] = 0x13;
        var header = YamuxHeader.ReadFrom(bytes);
        Assert.Equal((YamuxFlags)0x8013, header.Flags);
        Assert.True(header.Has(YamuxFlags.Syn | YamuxFlags.Ack));
        Assert.False(header.Has(YamuxFlags.Fin));
    }

    [Fact]
    public void Factories_BuildSpecFrames()
    {
        Assert.Equal(new YamuxHeader(YamuxFrameType.Ping, YamuxFlags.Syn, 0, 7), YamuxHeader.Ping(7, response: false));
        Assert.Equal(new YamuxHeader(YamuxFrameType.Ping, YamuxFlags.Ack, 0, 7), YamuxHeader.Ping(7, response: true));
        Assert.Equal(new YamuxHeader(YamuxFrameType.GoAway, YamuxFlags.None, 0, 1), YamuxHeader.GoAway(1));
        Assert.Equal(new YamuxHeader(YamuxFrameType.Data, YamuxFlags.Fin, 3, 9), YamuxHeader.Data(3, 9, YamuxFlags.Fin));
        Assert.Equal(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, 3, 0), YamuxHeader.WindowUpdate(3, 0, YamuxFlags.Rst));
        Assert.True(YamuxHeader.Ping(1, false) != YamuxHeader.Ping(1, true));
        Assert.Contains("Ping", YamuxHeader.Ping(1, false).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Arguments_ShortSpans_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => YamuxHeader.ReadFrom(new byte[11]));
        Assert.Throws<ArgumentException>(() => YamuxHeader.Ping(1, false).WriteTo(new byte[11]));
    }
}
