using System.Buffers;
using System.IO.Pipelines;
using CsCheck;
using Rx.Network.Encoding;

namespace Rx.Network.Tests.Encoding;

public class LengthPrefixedTests
{
    [Fact]
    public void MessageSizeMax_IsFourMebibytes() => Assert.Equal(4 * 1024 * 1024, LengthPrefixed.MessageSizeMax);

    [Fact]
    public void Frame_PrefixesVarintLength()
    {
        Assert.Equal([0x03, 1, 2, 3], LengthPrefixed.Frame([1, 2, 3]));
        Assert.Equal([0x00], LengthPrefixed.Frame([]));
        Assert.Equal(2 + 200, LengthPrefixed.Frame(new byte[200]).Length);
    }

    [Fact]
    public async Task Stream_RoundTrip_Property()
    {
        await Gen.Byte.Array[0, 2000].Array[0, 5].SampleAsync(async messages =>
        {
            var stream = new MemoryStream();
            foreach (var m in messages)
            {
                await LengthPrefixed.WriteAsync(stream, m);
            }

            stream.Position = 0;
            foreach (var m in messages)
            {
                Assert.Equal(m, await LengthPrefixed.ReadAsync(stream));
            }

            Assert.Null(await LengthPrefixed.ReadAsync(stream));
        }, iter: 200);
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthAboveLimit_ThrowsBeforeAllocating()
    {
        // Declares 2^62 bytes: allocating it would fail loudly, so reaching the typed exception
        // proves the check comes first.
        var stream = new MemoryStream(Varint.Encode(1UL << 62));
        var e = await Assert.ThrowsAsync<MessageTooLargeException>(async () => await LengthPrefixed.ReadAsync(stream));
        Assert.Equal(1L << 62, e.DeclaredLength);
        Assert.Equal(LengthPrefixed.MessageSizeMax, e.Limit);

        var small = new MemoryStream(LengthPrefixed.Frame(new byte[11]));
        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await LengthPrefixed.ReadAsync(small, maxSize: 10));
    }

    [Fact]
    public async Task ReadAsync_Truncated_ThrowsProtocolViolation()
    {
        await Assert.ThrowsAsync<WireProtocolViolationException>(async () => await LengthPrefixed.ReadAsync(new MemoryStream([0x05, 1, 2])));
        await Assert.ThrowsAsync<WireProtocolViolationException>(async () => await LengthPrefixed.ReadAsync(new MemoryStream([0x85])));
    }

    [Fact]
    public async Task ReadAsync_RandomBytes_OnlyTypedFailures()
    {
        await Gen.Byte.Array[0, 40].SampleAsync(async bytes =>
        {
            var stream = new MemoryStream(bytes);
            try
            {
                while (await LengthPrefixed.ReadAsync(stream, maxSize: 30) is not null)
                {
                }
            }
            catch (FormatException)
            {
                // WireProtocolViolationException and MessageTooLargeException both derive from FormatException.
            }
        }, iter: 2000);
    }

    [Fact]
    public async Task Pipe_RoundTrip_ReadsMessagesSplitAcrossWrites()
    {
        var pipe = new Pipe();
        var framed = LengthPrefixed.Frame(new byte[300]).Concat(LengthPrefixed.Frame([7])).ToArray();
        var reading = Task.Run(async () =>
        {
            var first = await LengthPrefixed.ReadAsync(pipe.Reader);
            var second = await LengthPrefixed.ReadAsync(pipe.Reader);
            var end = await LengthPrefixed.ReadAsync(pipe.Reader);
            return (first, second, end);
        });

        // Dribble the bytes in, one at a time, to cross every boundary.
        foreach (var b in framed)
        {
            await pipe.Writer.WriteAsync(new[] { b });
        }

        await pipe.Writer.CompleteAsync();
        var (first, second, end) = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(300, first!.Length);
        Assert.Equal([7], second);
        Assert.Null(end);
    }

    [Fact]
    public async Task Pipe_CompletedMidMessage_Throws()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0x05, 1 });
        await pipe.Writer.CompleteAsync();
        await Assert.ThrowsAsync<WireProtocolViolationException>(async () => await LengthPrefixed.ReadAsync(pipe.Reader));
    }

    [Fact]
    public async Task Pipe_WriteAsync_Frames()
    {
        var pipe = new Pipe();
        await LengthPrefixed.WriteAsync(pipe.Writer, new byte[] { 9, 8 });
        var result = await pipe.Reader.ReadAsync();
        Assert.Equal([2, 9, 8], result.Buffer.ToArray());
    }

    [Fact]
    public void TryRead_IncompleteThenComplete()
    {
        var framed = LengthPrefixed.Frame([1, 2, 3, 4]);
        var partial = new ReadOnlySequence<byte>(framed, 0, 3);
        Assert.False(LengthPrefixed.TryRead(ref partial, out _));
        Assert.Equal(3, partial.Length);

        var whole = Segments.Create(framed[..2], framed[2..]);
        Assert.True(LengthPrefixed.TryRead(ref whole, out var message));
        Assert.Equal([1, 2, 3, 4], message.ToArray());
        Assert.True(whole.IsEmpty);
    }

    [Fact]
    public async Task Arguments_AreChecked()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await LengthPrefixed.ReadAsync((Stream)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await LengthPrefixed.ReadAsync((PipeReader)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await LengthPrefixed.WriteAsync((Stream)null!, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await LengthPrefixed.ReadAsync(new MemoryStream(), -1));
        Assert.Throws<ArgumentNullException>(() => LengthPrefixed.Write(null!, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => LengthPrefixed.GetFramedLength(-1));
    }
}
