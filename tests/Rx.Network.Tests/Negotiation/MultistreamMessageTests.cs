using System.Buffers;
using CsCheck;
using Rx.Network.Negotiation;
using Rx.Network.Tests.Encoding;

namespace Rx.Network.Tests.Negotiation;

public class MultistreamMessageTests
{
    [Theory]
    [InlineData("na", "036e610a")] // connections spec and multistream-select README
    [InlineData("ls", "036c730a")] // multistream-select README
    [InlineData("/multistream/1.0.0", "132f6d756c746973747265616d2f312e302e300a")]
    public void Frame_SpecExamples(string text, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(MultistreamMessage.Frame(text).Span));
    }

    [Fact]
    public void Frame_SeveralMessages_Concatenates()
    {
        Assert.Equal("036e610a036c730a", Convert.ToHexStringLower(MultistreamMessage.Frame("na", "ls").Span));
    }

    [Fact]
    public void Decode_RoundTripsAcrossSegments_Property()
    {
        Gen.String.Where(s => MultistreamMessage.GetTextLength(s) >= 0).Sample(text =>
        {
            var framed = MultistreamMessage.Frame(text).ToArray();
            int prefix = framed.Length - (MultistreamMessage.GetTextLength(text) + 1);
            var payload = framed[prefix..];
            int split = payload.Length / 2;
            Assert.Equal(text, MultistreamMessage.Decode(Segments.Create(payload[..split], payload[split..])));
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("6e61")]
    [InlineData("c30a")] // truncated two-byte UTF-8 sequence
    [InlineData("eda0800a")] // encoded surrogate
    public void Decode_Malformed_ThrowsProtocolViolation(string hex)
    {
        Assert.Throws<WireProtocolViolationException>(() => MultistreamMessage.Decode(new ReadOnlySequence<byte>(Convert.FromHexString(hex))));
    }

    [Fact]
    public void FrameList_ParseList_RoundTrip_Property()
    {
        Gen.String[1, 40].Where(s => MultistreamMessage.GetTextLength(s) >= 0).List[0, 10].Sample(list =>
        {
            var framed = MultistreamMessage.FrameList(list).ToArray();
            var whole = new ReadOnlySequence<byte>(framed);
            Assert.True(Rx.Network.Encoding.LengthPrefixed.TryRead(ref whole, out var payload, int.MaxValue));
            Assert.True(whole.IsEmpty);
            Assert.Equal(list, MultistreamMessage.ParseList(payload));
        });
    }

    [Fact]
    public void ParseList_RandomBytes_OnlyTypedFailures()
    {
        Gen.Byte.Array[0, 40].Sample(bytes =>
        {
            try
            {
                MultistreamMessage.ParseList(new ReadOnlySequence<byte>(bytes));
            }
            catch (WireProtocolViolationException)
            {
            }
        }, iter: 5000);
    }

    [Fact]
    public void GetTextLength_UnpairedSurrogate_IsNegative()
    {
        Assert.Equal(-1, MultistreamMessage.GetTextLength("\uDC00"));
        Assert.Equal(4, MultistreamMessage.GetTextLength("/\u00e9\u00e9"[..2] + "x"));
    }
}
