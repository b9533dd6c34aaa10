using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;

namespace Rx.Network.Transports;

/// <summary>
/// One end of an in-memory <see cref="IDuplexChannel"/> pair: what one side writes to
/// <see cref="Output"/> the other reads from <see cref="Input"/>. Used by muxer tests and by the
/// mock network; bounded like the real thing.
/// </summary>
internal sealed class InMemoryDuplexChannel : IDuplexChannel
{
    private readonly BufferBlock<PooledBuffer> incoming;
    private readonly BufferBlock<PooledBuffer> outgoing;

    private InMemoryDuplexChannel(BufferBlock<PooledBuffer> incoming, BufferBlock<PooledBuffer> outgoing)
    {
        this.incoming = incoming;
        this.outgoing = outgoing;
        Completion = BothEndedAsync(incoming.Completion, outgoing.Completion);
    }

    /// <inheritdoc/>
    public ISourceBlock<PooledBuffer> Input => incoming;

    /// <inheritdoc/>
    public ITargetBlock<PooledBuffer> Output => outgoing;

    /// <inheritdoc/>
    public Task Completion { get; }

    /// <summary>Creates two connected ends.</summary>
    /// <param name="capacity">Chunks each direction holds before a sender waits.</param>
    public static (InMemoryDuplexChannel A, InMemoryDuplexChannel B) CreatePair(int capacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var options = new DataflowBlockOptions { BoundedCapacity = capacity };
        var aToB = new BufferBlock<PooledBuffer>(options);
        var bToA = new BufferBlock<PooledBuffer>(options);
        return (new InMemoryDuplexChannel(bToA, aToB), new InMemoryDuplexChannel(aToB, bToA));
    }

    /// <inheritdoc/>
    public void Abort(Exception reason)
    {
        ((IDataflowBlock)incoming).Fault(reason);
        ((IDataflowBlock)outgoing).Fault(reason);
    }

    /// <summary>Completes (never faults) once both blocks have ended: nothing runs after the wait, so no scheduler is named.</summary>
    private static async Task BothEndedAsync(Task incoming, Task outgoing) =>
        await Task.WhenAll(incoming, outgoing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
}
