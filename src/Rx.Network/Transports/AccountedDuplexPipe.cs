using System.Buffers;
using System.IO.Pipelines;
using Rx.Network.Resources;

namespace Rx.Network.Transports;

/// <summary>
/// A socket pump's two pipes as seen by the layers above, counting in the connection's
/// <see cref="TransportMemory"/>: what the reader consumes is released from
/// <see cref="TransportMemory.Receive"/> (the receive pump held it when it read the socket), what
/// the writer advances is held in <see cref="TransportMemory.Send"/> (the send pump releases it
/// once sent).
/// </summary>
/// <remarks>
/// Every reader of the raw connection goes through here — multistream-select, the Noise and TLS
/// handshakes, the secure channel — so nothing consumed is missed. The cost is a length of the
/// consumed part of the last buffer and an interlocked add per read, and an interlocked add per
/// advance; reservations themselves are batched (<see cref="TransportBuffer.Batch"/>).
/// </remarks>
internal sealed class AccountedDuplexPipe : IAccountedPipe
{
    /// <param name="input">The receive pump's pipe.</param>
    /// <param name="output">The send pump's pipe.</param>
    /// <param name="memory">The connection's transport buffers.</param>
    /// <param name="inputBound">The input pipe's pause threshold (<see cref="IAccountedPipe.InputBound"/>); 0 when unknown.</param>
    public AccountedDuplexPipe(PipeReader input, PipeWriter output, TransportMemory memory, long inputBound = 0)
    {
        Memory = memory;
        InputBound = inputBound;
        Input = new CountingReader(input, memory.Receive);
        Output = new CountingWriter(output, memory.Send);
    }

    /// <inheritdoc/>
    public PipeReader Input { get; }

    /// <inheritdoc/>
    public PipeWriter Output { get; }

    /// <inheritdoc/>
    public TransportMemory Memory { get; }

    TransportMemory? IAccountedPipe.Memory => Memory;

    /// <inheritdoc/>
    public long InputBound { get; }

    /// <summary>Releases what is consumed; once completed, the receive pump no longer waits for room (nobody will make any).</summary>
    private sealed class CountingReader(PipeReader inner, TransportBuffer buffer) : PipeReader
    {
        private ReadOnlySequence<byte> last;

        public override bool TryRead(out ReadResult result)
        {
            if (inner.TryRead(out result))
            {
                last = result.Buffer;
                return true;
            }

            return false;
        }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var reading = inner.ReadAsync(cancellationToken);
            if (reading.IsCompletedSuccessfully)
            {
                var result = reading.Result;
                last = result.Buffer;
                return new ValueTask<ReadResult>(result);
            }

            return Awaited(reading);
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            long count = consumed.Equals(last.Start) ? 0
                : consumed.Equals(last.End) ? last.Length
                : last.Slice(last.Start, consumed).Length;
            last = default;
            inner.AdvanceTo(consumed, examined);
            if (count > 0)
            {
                buffer.Release(count);
            }
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null)
        {
            inner.Complete(exception);
            buffer.Stop();
        }

        public override async ValueTask CompleteAsync(Exception? exception = null)
        {
            await inner.CompleteAsync(exception).ConfigureAwait(false);
            buffer.Stop();
        }

        [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<ReadResult> Awaited(ValueTask<ReadResult> reading)
        {
            var result = await reading.ConfigureAwait(false);
            last = result.Buffer;
            return result;
        }
    }

    /// <summary>Holds what is advanced (written), before the flush that hands it to the send pump.</summary>
    private sealed class CountingWriter(PipeWriter inner, TransportBuffer buffer) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            inner.Advance(bytes);
            buffer.Hold(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
