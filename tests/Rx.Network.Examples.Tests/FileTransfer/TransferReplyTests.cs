using CsCheck;
using Rx.Network.Examples.FileTransfer;

namespace Rx.Network.Examples.Tests.FileTransfer;

public sealed class TransferReplyTests
{
    [Fact]
    public void Decode_OfEncode_RoundTrips()
    {
        Gen.Bool.Select(Gen.Char["ab z09'.:é€中"].Array[0, 300]).Sample((ok, chars) =>
        {
            var reply = new TransferReply(ok, new string(chars));

            Assert.Equal(reply, TransferReply.Decode(reply.Encode()));
        });
    }

    [Fact]
    public void Constructor_LongMessage_IsCutOnACharacterBoundary()
    {
        var reply = new TransferReply(false, new string('é', TransferReply.MaxMessageBytes));

        Assert.Equal(new string('é', TransferReply.MaxMessageBytes / 2), reply.Message);
        Assert.Equal(TransferReply.MaxEncodedLength, reply.Encode().Length);
    }

    [Fact]
    public void Constructor_LoneSurrogate_IsReplacedNotRejected()
    {
        var reply = new TransferReply(false, "bad \uD800 name");

        Assert.Equal("bad \uFFFD name", TransferReply.Decode(reply.Encode()).Message);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 2 })]
    [InlineData(new byte[] { 0, 0xC3 })]
    public void Decode_Malformed_ThrowsProtocolViolation(byte[] bytes)
    {
        Assert.Throws<WireProtocolViolationException>(() => TransferReply.Decode(bytes));
    }

    [Fact]
    public void Decode_TooLong_ThrowsProtocolViolation()
    {
        Assert.Throws<WireProtocolViolationException>(() => TransferReply.Decode(new byte[TransferReply.MaxEncodedLength + 1]));
    }

    [Fact]
    public void Decode_RandomBytes_ThrowsOnlyProtocolViolation()
    {
        Gen.Byte.Array[0, 40].Sample(bytes =>
        {
            try
            {
                Assert.NotNull(TransferReply.Decode(bytes).Message);
            }
            catch (WireProtocolViolationException)
            {
                // Expected for most random input; any other exception type fails the test.
            }
        });
    }

    [Fact]
    public void Constructor_NullMessage_Throws() => Assert.Throws<ArgumentNullException>(() => new TransferReply(true, null!));
}
