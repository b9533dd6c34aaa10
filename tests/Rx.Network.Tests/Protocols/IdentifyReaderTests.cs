using Google.Protobuf;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Protocols;
using Proto = Rx.Network.Encoding.Proto;

namespace Rx.Network.Tests.Protocols;

public class IdentifyReaderTests
{
    private static readonly Multiaddr[] Addresses =
    [
        Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001"),
        Multiaddr.Parse("/ip6/::1/tcp/4002"),
        Multiaddr.Parse("/dns4/example.com/tcp/443"),
    ];

    private static readonly PublicKey Key = IdentifyTestKit.StrangerKey();

    [Fact]
    public void Add_LaterScalarsWin_ListsAccumulateOnce()
    {
        var reader = new IdentifyReader(int.MaxValue, int.MaxValue);

        reader.Add(Encode(new IdentifyContent("p1", "a1", Key, [Addresses[0]], Addresses[1], ["/a", "/b"])));
        reader.Add(Encode(new IdentifyContent(null, "a2", null, [Addresses[0], Addresses[2]], null, ["/b", "/c"])));

        var merged = reader.Content;
        Assert.Equal(2, reader.Messages);
        Assert.Equal("p1", merged.ProtocolVersion);
        Assert.Equal("a2", merged.AgentVersion);
        Assert.Equal(Key, merged.PublicKey);
        Assert.Equal(Addresses[1], merged.ObservedAddress);
        Assert.Equal([Addresses[0], Addresses[2]], merged.ListenAddresses);
        Assert.Equal(["/a", "/b", "/c"], merged.Protocols);
    }

    [Fact]
    public void Add_TenFullMessagesOfProtocols_ExaminesOnlyTheBound_SkipsTheRestUnread()
    {
        // The attack of issue #14: ten 8 KiB messages of about 1,150 distinct ids each.
        var messages = HostileMessages(10, i => Proto(i), (m, v) => m.Protocols.Add(v));
        int sent = messages.Sum(m => m.Protocols.Count);
        var reader = new IdentifyReader(256, 64);

        messages.ForEach(m => reader.Add(m.ToByteArray()));

        Assert.True(sent > 11_000, $"{sent} protocols sent");
        Assert.Equal(256, reader.ProtocolsExamined);
        Assert.Equal(sent - 256, reader.EntriesSkipped);
        Assert.Equal(Enumerable.Range(0, 256).Select(Proto), reader.Content.Protocols);
        Assert.Equal(10, reader.Messages);
    }

    [Fact]
    public void Add_TenFullMessagesOfAddresses_ParsesOnlyTheBound()
    {
        var messages = HostileMessages(10, i => ByteString.CopyFrom(Multiaddr.Parse($"/ip4/10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}/tcp/1").Bytes.Span), (m, v) => m.ListenAddrs.Add(v));
        int sent = messages.Sum(m => m.ListenAddrs.Count);
        var reader = new IdentifyReader(256, 64);

        messages.ForEach(m => reader.Add(m.ToByteArray()));

        Assert.True(sent > 5_000, $"{sent} addresses sent");
        Assert.Equal(64, reader.AddressesExamined);
        Assert.Equal(64, reader.Content.ListenAddresses.Count);
        Assert.Equal(sent - 64, reader.EntriesSkipped);
    }

    [Fact]
    public void Add_Duplicates_CountAgainstTheBound()
    {
        var message = new Proto.Identify();
        message.Protocols.Add(Enumerable.Repeat("/same/1.0.0", 1000));
        message.ListenAddrs.Add(Enumerable.Repeat(ByteString.CopyFrom(Addresses[0].Bytes.Span), 1000));
        var reader = new IdentifyReader(256, 64);

        reader.Add(message.ToByteArray());

        Assert.Equal((256, 64), (reader.ProtocolsExamined, reader.AddressesExamined));
        Assert.Equal(["/same/1.0.0"], reader.Content.Protocols);
        Assert.Equal([Addresses[0]], reader.Content.ListenAddresses);
    }

    [Fact]
    public void Add_MalformedMessage_KeepsNothingOfIt()
    {
        var reader = new IdentifyReader(int.MaxValue, int.MaxValue);
        reader.Add(Encode(new IdentifyContent("p1", "a1", null, [Addresses[0]], null, ["/a"])));
        var bad = Encode(new IdentifyContent("p2", "a2", null, [Addresses[1]], null, ["/b"]));

        Assert.Throws<WireProtocolViolationException>(() => reader.Add(bad.AsSpan(0, bad.Length - 1)));

        Assert.Equal(1, reader.Messages);
        Assert.Equal(("p1", "a1"), (reader.Content.ProtocolVersion, reader.Content.AgentVersion));
        Assert.Equal([Addresses[0]], reader.Content.ListenAddresses);
        Assert.Equal(["/a"], reader.Content.Protocols);

        // What the bad message named is not remembered as seen either: it can arrive again.
        reader.Add(Encode(new IdentifyContent(null, null, null, [Addresses[1]], null, ["/b"])));
        Assert.Equal(["/a", "/b"], reader.Content.Protocols);
    }

    [Theory]
    [InlineData(new byte[] { 0x1B }, "group wire type")]
    [InlineData(new byte[] { 0x00, 0x00 }, "field number 0")]
    [InlineData(new byte[] { 0x1A, 0x05, 0x2F }, "length past the end")]
    [InlineData(new byte[] { 0x09, 1, 2, 3 }, "truncated fixed64")]
    [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "varint of 11 bytes")]
    public void Add_WireErrors_ThrowProtocolViolation(byte[] bytes, string why)
    {
        var reader = new IdentifyReader(256, 64);

        Assert.Throws<WireProtocolViolationException>(() => reader.Add(bytes));
        Assert.Equal(0, reader.Messages);
        Assert.NotNull(why);
    }

    [Fact]
    public void Add_KnownFieldWithAnotherWireType_IsSkippedAsProtobufDoes()
    {
        // Field 3 (protocols) as a varint: the generated parser treats it as an unknown field.
        byte[] bytes = [0x18, 0x05, 0x1A, 0x02, (byte)'/', (byte)'x'];
        var reader = new IdentifyReader(256, 64);

        reader.Add(bytes);

        Assert.Equal(["/x"], reader.Content.Protocols);
    }

    private static string Proto(int i) => $"/{i}";

    /// <summary><paramref name="count"/> messages of just under 8 KiB, filled with distinct values.</summary>
    private static List<Proto.Identify> HostileMessages<T>(int count, Func<int, T> value, Action<Proto.Identify, T> add)
    {
        var messages = new List<Proto.Identify>();
        int next = 0;
        for (int m = 0; m < count; m++)
        {
            var message = new Proto.Identify();
            while (message.CalculateSize() < (8 * 1024) - 16)
            {
                add(message, value(next++));
            }

            messages.Add(message);
        }

        return messages;
    }

    private static byte[] Encode(IdentifyContent content) => Assert.Single(IdentifyCodec.Encode(content, 64 * 1024, 1, out _));
}
