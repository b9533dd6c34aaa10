using System.Buffers;
using System.IO.Pipelines;

namespace Rx.Network.Muxing;

/// <summary>
/// An <see cref="IDuplexPipe"/> over a muxed stream (<see cref="IStream.AsPipe"/>): two bounded
/// <see cref="Pipe"/>s and two pumps, the shape of Kestrel's connection pipes.
/// </summary>
/// <remarks>
/// <para>Each pipe holds at most <see cref="PauseThreshold"/> bytes between the application and
/// the stream: past it the receiving pump stops reading (so the stream's receive window is not
/// returned and the remote is paused by flow control), and the application's
/// <see cref="PipeWriter.FlushAsync"/> waits while the sending pump waits for send credit.</para>
/// <para>Completion maps onto the stream: the remote's half-close completes <see cref="Input"/>
/// after the last byte; a reset (either side) or a failed connection faults <see cref="Input"/>
/// and the next <see cref="PipeWriter.FlushAsync"/> on <see cref="Output"/> with the stream's
/// exception. Completing <see cref="Output"/> half-closes the stream after every written byte;
/// completing it with an exception resets the stream. Completing <see cref="Input"/> stops reading
/// (with an exception: resets the stream). Once both directions are done the stream is disposed
/// (its graceful close, bounded by the muxer's close deadline).</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "The token source has no timer and nothing to release; the pipe ends when both pumps do, and the application owns the pipe only through its two completions.")]
internal sealed class StreamPipe : IDuplexPipe
{
    /// <summary>The most bytes each direction buffers between the application and the stream: 64 KiB, one full yamux frame.</summary>
    public const int PauseThreshold = 64 * 1024;

    // Reads from the stream ask for at least this much room (the pipe's usual segment size).
    private const int ReadSize = 4096;

    private readonly IMuxedStream stream;
    private readonly Func<ValueTask> dispose;
    private readonly Pipe input;
    private readonly Pipe output;
    private readonly CancellationTokenSource stopReading = new();
    private int pumpsLeft = 2;

    /// <param name="stream">The stream the pumps read and write.</param>
    /// <param name="dispose">What ends the stream once both directions are done; by default its <see cref="IAsyncDisposable.DisposeAsync"/>.</param>
    public StreamPipe(IMuxedStream stream, Func<ValueTask>? dispose = null)
    {
        this.stream = stream;
        this.dispose = dispose ?? stream.DisposeAsync;

        // Inline schedulers: the pumps run where the stream's and the application's continuations
        // already run, with no hop of their own (the library never escapes its scheduler).
        var options = new PipeOptions(
            pool: MemoryPool<byte>.Shared,
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: PauseThreshold,
            resumeWriterThreshold: PauseThreshold / 2,
            useSynchronizationContext: false);
        input = new Pipe(options);
        output = new Pipe(options);
        Input = new InputReader(input.Reader, this);
        _ = ReceiveAsync();
        _ = SendAsync();
    }

    /// <inheritdoc/>
    public PipeReader Input { get; }

    /// <inheritdoc/>
    public PipeWriter Output => output.Writer;

    private async Task ReceiveAsync()
    {
        var writer = input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                int read = await stream.ReadAsync(writer.GetMemory(ReadSize), stopReading.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
                var flushed = await writer.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stopReading.IsCancellationRequested)
        {
            // The application completed Input.
        }
        catch (Exception e)
        {
            error = e;
        }

        await writer.CompleteAsync(error).ConfigureAwait(false);
        await PumpEndedAsync().ConfigureAwait(false);
    }

    private async Task SendAsync()
    {
        var reader = output.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await reader.ReadAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // The application completed Output with an exception: abandon the stream.
                    stream.Reset();
                    error = e;
                    break;
                }

                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    await stream.WriteAsync(segment).ConfigureAwait(false);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    await stream.CloseWriteAsync().ConfigureAwait(false);
                    break;
                }
            }
        }
        catch (Exception e)
        {
            // The stream failed (reset, connection gone, close deadline): the application sees it
            // on its next flush.
            error = e;
        }

        await reader.CompleteAsync(error).ConfigureAwait(false);
        await PumpEndedAsync().ConfigureAwait(false);
    }

    private async ValueTask PumpEndedAsync()
    {
        if (Interlocked.Decrement(ref pumpsLeft) == 0)
        {
            await dispose().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The stream is being disposed while the pipe is its view (a stream handler returned, say):
    /// completes both of the application's ends, so that what was written still goes out before
    /// the FIN and the pumps then end the stream. Returns at once; idempotent.
    /// </summary>
    public void Close()
    {
        Input.Complete();
        output.Writer.Complete();
    }

    private void OnInputCompleted(Exception? exception)
    {
        if (exception is not null)
        {
            stream.Reset();
        }

        // Never disposed (it has no timer), so cancelling after the pumps ended is harmless.
        stopReading.Cancel();
    }

    /// <summary>The input pipe's reader, telling the pipe when the application completes it.</summary>
    private sealed class InputReader(PipeReader inner, StreamPipe owner) : PipeReader
    {
        private int completed;

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null)
        {
            inner.Complete(exception);
            if (Interlocked.Exchange(ref completed, 1) == 0)
            {
                owner.OnInputCompleted(exception);
            }
        }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) => inner.ReadAsync(cancellationToken);

        public override bool TryRead(out ReadResult result) => inner.TryRead(out result);
    }
}
