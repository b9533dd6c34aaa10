using System.IO.Pipelines;
using Rx.Network.Resources;
using Rx.Network.Security.Tls;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security.Tls;

/// <summary>
/// <see cref="PipeStream"/> hands SslStream whole TLS records: a record still arriving stays in
/// the raw pipe (where the receive budget counts it) until its last byte is there.
/// </summary>
public class PipeStreamTests
{
    private static readonly TimeSpan Wait = TlsTestKit.Wait;

    // Readers and writers run inline, so a read that could complete has completed once the write's flush returns.
    private static readonly PipeOptions Inline = new(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 0);

    [Fact]
    public async Task Read_RecordArrivingInPieces_CompletesOnlyWithItsLastByte()
    {
        var (remote, stream) = Pair();
        var record = Record(100);
        var buffer = new byte[4096];
        var read = stream.ReadAsync(buffer).AsTask();
        await remote.Output.WriteAsync(record.AsMemory(0, 60));
        Assert.False(read.IsCompleted);

        await remote.Output.WriteAsync(record.AsMemory(60));
        Assert.Equal(record.Length, await read.WaitAsync(Wait));
        Assert.Equal(record, buffer[..record.Length]);
    }

    [Fact]
    public async Task Read_ZeroBytes_CompletesOnceARecordIsWhole()
    {
        var (remote, stream) = Pair();
        var record = Record(40);
        var wait = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        await remote.Output.WriteAsync(record.AsMemory(0, 3));
        Assert.False(wait.IsCompleted);

        await remote.Output.WriteAsync(record.AsMemory(3));
        Assert.Equal(0, await wait.WaitAsync(Wait));

        // The zero-byte read took nothing.
        Assert.Equal(record.Length, await stream.ReadAsync(new byte[4096]));
    }

    [Fact]
    public async Task Read_WholeRecordsAndThePartOfTheNext_HandsOverOnlyTheWholeOnes()
    {
        var (remote, stream) = Pair();
        byte[] first = Record(RecordCursor.FullBody), second = Record(RecordCursor.FullBody), third = Record(300);
        await remote.Output.WriteAsync((byte[])[.. first, .. second, .. third.AsSpan(0, 10)]);
        var buffer = new byte[64 * 1024];
        Assert.Equal(first.Length + second.Length, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));

        var read = stream.ReadAsync(buffer).AsTask();
        Assert.False(read.IsCompleted);
        await remote.Output.WriteAsync(third.AsMemory(10));
        Assert.Equal(third.Length, await read.WaitAsync(Wait));
    }

    [Fact]
    public async Task Read_NextRecordDoesNotFitTheBuffer_StaysInThePipe()
    {
        // SslStream's read buffer (32 KiB) is 44 bytes short of two full records: it gets one
        // whole record per read, never the first part of the next (which it would have to shift
        // to the front of its buffer and complete with a part of the record after it).
        var (remote, stream) = Pair();
        byte[] first = Record(RecordCursor.FullBody), second = Record(RecordCursor.FullBody), third = Record(RecordCursor.FullBody);
        await remote.Output.WriteAsync((byte[])[.. first, .. second, .. third]);
        var buffer = new byte[32 * 1024];
        Assert.Equal(first.Length, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
        Assert.Equal(second.Length, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
        Assert.Equal(second, buffer[..second.Length]);
        Assert.Equal(third.Length, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task Read_BufferSmallerThanTheCurrentRecord_FillsIt()
    {
        // The current record is handed over whatever the buffer's size (the reader grows its
        // buffer for the rest): only the records after it must fit.
        var (remote, stream) = Pair();
        byte[] first = Record(RecordCursor.FullBody), second = Record(100);
        await remote.Output.WriteAsync((byte[])[.. first, .. second]);
        var buffer = new byte[4096];
        Assert.Equal(buffer.Length, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
        var rest = new byte[64 * 1024];
        Assert.Equal(first.Length - buffer.Length + second.Length, await stream.ReadAsync(rest).AsTask().WaitAsync(Wait));
        Assert.Equal(second, rest[(first.Length - buffer.Length)..(first.Length - buffer.Length + second.Length)]);
    }

    [Fact]
    public async Task Read_ShortRecord_EndsTheHandOver()
    {
        // A record shorter than a full one ends a write of the sender: what follows it is handed
        // over by the next read, so SslStream's plaintext reads end where the sender's writes did.
        var (remote, stream) = Pair();
        byte[] full = Record(RecordCursor.FullBody), last = Record(RecordCursor.FullBody - 17), small = Record(30), next = Record(RecordCursor.FullBody);
        await remote.Output.WriteAsync((byte[])[.. full, .. last, .. small, .. next]);
        var buffer = new byte[64 * 1024];
        Assert.Equal(full.Length + last.Length, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
        Assert.Equal(small.Length, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
        Assert.Equal(next.Length, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
        Assert.Equal(next, buffer[..next.Length]);
    }

    [Fact]
    public async Task Read_RestOfAShortRecord_EndsTheHandOverToo()
    {
        var (remote, stream) = Pair();
        byte[] last = Record(200), small = Record(30);
        await remote.Output.WriteAsync((byte[])[.. last, .. small]);
        var buffer = new byte[4096];
        Assert.Equal(50, await stream.ReadAsync(buffer.AsMemory(0, 50)).AsTask().WaitAsync(Wait));
        Assert.Equal(last.Length - 50, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
        Assert.Equal(small.Length, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task Read_BufferEndsInsideAHeader_KeepsTrackOfTheRecords()
    {
        var (remote, stream) = Pair();
        byte[] first = Record(RecordCursor.FullBody), second = Record(200), third = Record(50);
        await remote.Output.WriteAsync((byte[])[.. first, .. second]);

        // The first record, then a buffer that ends two bytes into the second record's header,
        // then the rest of it.
        var buffer = new byte[64 * 1024];
        Assert.Equal(first.Length, await stream.ReadAsync(buffer.AsMemory(0, first.Length)));
        Assert.Equal(2, await stream.ReadAsync(buffer.AsMemory(0, 2)));
        Assert.Equal(second.Length - 2, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));

        // Still aligned: the next record is again held back until whole.
        var read = stream.ReadAsync(buffer).AsTask();
        await remote.Output.WriteAsync(third.AsMemory(0, 20));
        Assert.False(read.IsCompleted);
        await remote.Output.WriteAsync(third.AsMemory(20));
        Assert.Equal(third.Length, await read.WaitAsync(Wait));
    }

    [Fact]
    public async Task Read_LargeRecord_HandedOverInPartOncePartialHandOverBytesWait()
    {
        // A pipe bounded below one record (a transport's smallest buffer, 16 KiB) must not stall on it.
        var (remote, stream) = Pair();
        var record = Record(16_000);
        var buffer = new byte[32 * 1024];
        var read = stream.ReadAsync(buffer).AsTask();
        await remote.Output.WriteAsync(record.AsMemory(0, RecordCursor.PartialHandOver - 1));
        Assert.False(read.IsCompleted);

        await remote.Output.WriteAsync(record.AsMemory(RecordCursor.PartialHandOver - 1, 1));
        Assert.Equal(RecordCursor.PartialHandOver, await read.WaitAsync(Wait));

        // The rest of that record is the current record: handed over once whole.
        var rest = stream.ReadAsync(buffer).AsTask();
        await remote.Output.WriteAsync(record.AsMemory(RecordCursor.PartialHandOver, 100));
        Assert.False(rest.IsCompleted);
        await remote.Output.WriteAsync(record.AsMemory(RecordCursor.PartialHandOver + 100));
        Assert.Equal(record.Length - RecordCursor.PartialHandOver, await rest.WaitAsync(Wait));
    }

    [Fact]
    public async Task Read_KnownBound_RecordStillArrivingIsNotHandedOverInPart()
    {
        // The pipe may hold far more than a record: the receive pump goes on adding its bytes, so
        // SslStream is handed the record whole (one read), however long it takes to arrive.
        var (remote, stream) = BoundedPair(bound: 64 * 1024);
        var record = Record(RecordCursor.FullBody);
        var buffer = new byte[32 * 1024];
        var read = stream.ReadAsync(buffer).AsTask();
        await remote.Output.WriteAsync(record.AsMemory(0, 12 * 1024));
        Assert.False(read.IsCompleted);

        await remote.Output.WriteAsync(record.AsMemory(12 * 1024));
        Assert.Equal(record.Length, await read.WaitAsync(Wait));
    }

    [Fact]
    public async Task Read_KnownBoundBelowARecord_HandsOverInPartOnceThePipeIsFull()
    {
        // A 16 KiB pipe (a transport's smallest bound) cannot hold a full record: once it holds
        // its bound the producer pauses, and part of the record is handed over so it can go on.
        const int bound = 16 * 1024;
        var (remote, stream) = BoundedPair(bound);
        var record = Record(RecordCursor.FullBody);
        var buffer = new byte[32 * 1024];
        var read = stream.ReadAsync(buffer).AsTask();
        await remote.Output.WriteAsync(record.AsMemory(0, bound - 1));
        Assert.False(read.IsCompleted);

        var filling = remote.Output.WriteAsync(record.AsMemory(bound - 1, 1)).AsTask();
        Assert.Equal(bound, await read.WaitAsync(Wait));
        await filling.WaitAsync(Wait);
        await remote.Output.WriteAsync(record.AsMemory(bound));
        Assert.Equal(record.Length - bound, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
    }

    [Theory]
    [InlineData(new byte[] { 0x47, 0x45, 0x54, 0x20, 0x2f, 0x20 })] // "GET / ": no TLS content type
    [InlineData(new byte[] { 0x17, 0x02, 0x00, 0x00, 0x10, 0x00 })] // version 2.x
    [InlineData(new byte[] { 0x17, 0x03, 0x03, 0xff, 0xff, 0x00 })] // a length no TLS version allows
    public async Task Read_NotATlsRecord_PassesTheBytesOn(byte[] bytes)
    {
        var (remote, stream) = Pair();
        await remote.Output.WriteAsync(bytes);
        Assert.Equal(bytes.Length, await stream.ReadAsync(new byte[4096]).AsTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task Read_ConnectionEndsInsideARecord_HandsOverWhatCameThenTheEnd()
    {
        var (remote, stream) = Pair();
        await remote.Output.WriteAsync(Record(100).AsMemory(0, 20));
        await remote.Output.CompleteAsync();
        var buffer = new byte[4096];
        Assert.Equal(20, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
        Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task Read_ConnectionEndsInsideAHeader_HandsOverWhatCameThenTheEnd()
    {
        // A stranger's truncated header at the end of the stream is SslStream's to reject (a
        // typed failure one level up), not a fault of the cursor (it used to throw reading past it).
        var (remote, stream) = Pair();
        var whole = Record(100);
        await remote.Output.WriteAsync((byte[])[.. whole, .. Record(50).AsSpan(0, 3)]);
        await remote.Output.CompleteAsync();
        var buffer = new byte[4096];
        Assert.Equal(whole.Length + 3, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
        Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait));
    }

    private static (IDuplexPipe Remote, PipeStream Stream) Pair()
    {
        var (remote, local) = DuplexPipe.CreatePair(Inline);
        return (remote, new PipeStream(local, int.MaxValue));
    }

    /// <summary>A stream over a counted pipe whose producer pauses at <paramref name="bound"/> unread bytes, as a transport's receive pipe.</summary>
    private static (IDuplexPipe Remote, PipeStream Stream) BoundedPair(int bound)
    {
        var options = new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: bound, resumeWriterThreshold: bound / 2);
        var (remote, local) = DuplexPipe.CreatePair(options);
        return (remote, new PipeStream(new AccountedDuplexPipe(local.Input, local.Output, new TransportMemory(), bound), int.MaxValue));
    }

    /// <summary>An application-data record (TLS 1.3 framing) with a <paramref name="body"/>-byte body.</summary>
    private static byte[] Record(int body)
    {
        var record = new byte[RecordCursor.HeaderSize + body];
        record[0] = 0x17;
        record[1] = 0x03;
        record[2] = 0x03;
        record[3] = (byte)(body >> 8);
        record[4] = (byte)body;
        Random.Shared.NextBytes(record.AsSpan(RecordCursor.HeaderSize));
        return record;
    }
}
