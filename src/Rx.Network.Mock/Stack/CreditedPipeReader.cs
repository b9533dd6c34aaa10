using System.Buffers;
using System.IO.Pipelines;

namespace Rx.Network.Mock.Stack;

/// <summary>
/// The input of a mock connection: a <see cref="Pipe"/>'s reader that gives the sender credit back
/// for every byte consumed (see <see cref="ReceiveCredit"/>), and tells the connection when the
/// application stops reading.
/// </summary>
internal sealed class CreditedPipeReader : PipeReader
{
    private readonly PipeReader inner;
    private readonly ReceiveCredit credit;
    private readonly Action onCompleted;
    private ReadOnlySequence<byte> lastRead;

    public CreditedPipeReader(PipeReader inner, ReceiveCredit credit, Action onCompleted)
    {
        this.inner = inner;
        this.credit = credit;
        this.onCompleted = onCompleted;
    }

    /// <inheritdoc/>
    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    /// <inheritdoc/>
    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        // Measured before advancing: the pipe may recycle the segments afterwards.
        long bytes = lastRead.IsEmpty ? 0 : lastRead.Slice(lastRead.Start, consumed).Length;
        lastRead = default;
        inner.AdvanceTo(consumed, examined);
        if (bytes > 0)
        {
            credit.Release(bytes);
        }
    }

    /// <inheritdoc/>
    public override void CancelPendingRead() => inner.CancelPendingRead();

    /// <inheritdoc/>
    public override void Complete(Exception? exception = null)
    {
        lastRead = default;
        inner.Complete(exception);
        onCompleted();
    }

    /// <inheritdoc/>
    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        lastRead = result.Buffer;
        return result;
    }

    /// <inheritdoc/>
    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        lastRead = result.Buffer;
        return true;
    }

    /// <inheritdoc/>
    protected override async ValueTask<ReadResult> ReadAtLeastAsyncCore(int minimumSize, CancellationToken cancellationToken)
    {
        var result = await inner.ReadAtLeastAsync(minimumSize, cancellationToken).ConfigureAwait(false);
        lastRead = result.Buffer;
        return result;
    }
}
