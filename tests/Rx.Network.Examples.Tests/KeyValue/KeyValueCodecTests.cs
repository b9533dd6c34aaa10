using CsCheck;
using Google.Protobuf;
using Rx.Network.Examples.KeyValue;
using Rx.Network.Examples.KeyValue.Proto;

namespace Rx.Network.Examples.Tests.KeyValue;

public sealed class KeyValueCodecTests
{
    private static readonly Gen<KvRequest> Requests =
        from op in Gen.Int[1, 3]
        from key in Gen.String[Gen.Char.AlphaNumeric, 1, 64]
        from value in Gen.Byte.Array[0, 256]
        select new KvRequest
        {
            Op = (KvRequest.Types.Op)op,
            Key = key,
            Value = op == (int)KvRequest.Types.Op.Put ? ByteString.CopyFrom(value) : ByteString.Empty,
        };

    [Fact]
    public void DecodeRequest_EncodedRequest_RoundTrips() =>
        Requests.Sample(request => Assert.Equal(request, KeyValueCodec.DecodeRequest(KeyValueCodec.Encode(request))));

    [Fact]
    public void DecodeReply_EncodedReply_RoundTrips() =>
        Gen.Select(Gen.Int[1, 3], Gen.Byte.Array[0, 64], Gen.String).Sample((status, value, error) =>
        {
            var reply = new KvReply { Status = (KvReply.Types.Status)status, Value = ByteString.CopyFrom(value), Error = error };
            Assert.Equal(reply, KeyValueCodec.DecodeReply(KeyValueCodec.Encode(reply)));
        });

    [Fact]
    public void Decode_RandomOrMutatedBytes_ThrowsOnlyProtocolViolation()
    {
        var inputs = Gen.OneOf(
            Gen.Byte.Array[0, 64],
            Gen.Select(Requests, Gen.Int, Gen.Byte).Select((request, at, value) =>
            {
                var bytes = KeyValueCodec.Encode(request).ToArray();
                if (bytes.Length > 0)
                {
                    bytes[(int)((uint)at % bytes.Length)] = value;
                }

                return bytes;
            }));
        inputs.Sample(bytes =>
        {
            Decodes(() => KeyValueCodec.DecodeRequest(bytes));
            Decodes(() => KeyValueCodec.DecodeReply(bytes));
        });

        static void Decodes(Action decode)
        {
            try
            {
                decode();
            }
            catch (WireProtocolViolationException)
            {
            }
        }
    }

    [Theory]
    [InlineData(0, "k")]   // no operation
    [InlineData(7, "k")]   // unknown operation
    [InlineData(1, "")]    // empty key
    public void DecodeRequest_InvalidFields_Throws(int op, string key) =>
        Assert.Throws<WireProtocolViolationException>(() => KeyValueCodec.DecodeRequest(new KvRequest { Op = (KvRequest.Types.Op)op, Key = key }.ToByteArray()));

    [Fact]
    public void DecodeRequest_ValueOnAGetOrTooLongKey_Throws()
    {
        Assert.Throws<WireProtocolViolationException>(() => KeyValueCodec.DecodeRequest(
            new KvRequest { Op = KvRequest.Types.Op.Get, Key = "k", Value = ByteString.CopyFrom(1) }.ToByteArray()));
        Assert.Throws<WireProtocolViolationException>(() => KeyValueCodec.DecodeRequest(
            new KvRequest { Op = KvRequest.Types.Op.Get, Key = new string('k', KeyValueProtocol.MaxKeyBytes + 1) }.ToByteArray()));
        Assert.Throws<WireProtocolViolationException>(() => KeyValueCodec.DecodeReply(new KvReply().ToByteArray()));
    }
}
