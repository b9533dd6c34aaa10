using CsCheck;
using Rx.Network.Encoding;
using Rx.Network.Examples.Chat;

namespace Rx.Network.Examples.Tests.Chat;

public sealed class MessageFramerTests
{
    [Fact]
    public void Push_MessagesCutIntoChunksOfAnySize_AreReassembledInOrder()
    {
        Gen.Byte.Array[0, 300].Array[0, 8].Select(Gen.Int[1, 64].Array[1, 10]).Sample((messages, chunkSizes) =>
        {
            var bytes = messages.SelectMany(m => LengthPrefixed.Frame(m)).ToArray();
            var framer = new MessageFramer(300);
            var received = new List<byte[]>();
            int offset = 0;
            for (int i = 0; offset < bytes.Length; i++)
            {
                int size = Math.Min(chunkSizes[i % chunkSizes.Length], bytes.Length - offset);
                received.AddRange(framer.Push(bytes.AsMemory(offset, size)));
                offset += size;
            }

            Assert.Equal(messages, received);
            Assert.False(framer.HasPartialMessage);
        });
    }

    [Fact]
    public void Push_RandomBytes_OnlyProtocolViolations()
    {
        Gen.Byte.Array[0, 40].Array[1, 4].Sample(chunks =>
        {
            var framer = new MessageFramer(16);
            try
            {
                foreach (var chunk in chunks)
                {
                    Assert.All(framer.Push(chunk), message => Assert.InRange(message.Length, 0, 16));
                }
            }
            catch (WireProtocolViolationException)
            {
                // Expected for most random input; any other exception type fails the test.
            }
        });
    }

    [Fact]
    public void HasPartialMessage_IsTrueBetweenTheHalvesOfAMessage()
    {
        var framer = new MessageFramer();
        var frame = LengthPrefixed.Frame([1, 2, 3, 4]);

        Assert.Empty(framer.Push(frame.AsMemory(0, 3)));
        Assert.True(framer.HasPartialMessage);
        Assert.Equal([new byte[] { 1, 2, 3, 4 }], framer.Push(frame.AsMemory(3)));
        Assert.False(framer.HasPartialMessage);
    }

    [Fact]
    public void Push_DeclaredLengthAboveTheLimit_ThrowsBeforeThePayloadArrives()
    {
        var framer = new MessageFramer(100);

        var error = Assert.Throws<MessageTooLargeException>(() => framer.Push(Varint.Encode(101)));

        Assert.Equal(101, error.DeclaredLength);
    }

    [Fact]
    public void Push_NonMinimalVarint_ThrowsProtocolViolation()
    {
        Assert.Throws<WireProtocolViolationException>(() => new MessageFramer().Push(new byte[] { 0x81, 0x00 }));
    }

    [Fact]
    public void Constructor_LimitOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessageFramer(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessageFramer(LengthPrefixed.MessageSizeMax + 1));
    }
}
