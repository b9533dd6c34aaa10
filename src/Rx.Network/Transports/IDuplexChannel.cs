using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;

namespace Rx.Network.Transports;

/// <summary>
/// A bidirectional byte channel expressed as two bounded Dataflow blocks: the contract between a
/// connection's layers (secure channel below, muxer above).
/// </summary>
/// <remarks>
/// <para>Bytes are carried in <see cref="PooledBuffer"/> chunks whose boundaries mean nothing: a
/// reader must treat the sequence of chunks as one byte stream. Ownership of each chunk moves with
/// it; the consumer returns it to the pool.</para>
/// <para>Both blocks are bounded: <see cref="DataflowBlock.SendAsync{TInput}(ITargetBlock{TInput}, TInput)"/>
/// on <see cref="Output"/> waits while the channel is full, which is how backpressure reaches the
/// writer. A declined send (the result <see langword="false"/>) means the channel is closing; the
/// sender still owns that chunk.</para>
/// </remarks>
internal interface IDuplexChannel
{
    /// <summary>
    /// Received chunks, in order. Completes when the remote closed its write side cleanly; faults
    /// with the exception that ended the connection (a typed one for protocol violations).
    /// </summary>
    ISourceBlock<PooledBuffer> Input { get; }

    /// <summary>
    /// Chunks to send, in order. <see cref="IDataflowBlock.Complete"/> flushes what was accepted
    /// and then closes our write side (a half-close); <see cref="IDataflowBlock.Fault"/> aborts.
    /// </summary>
    ITargetBlock<PooledBuffer> Output { get; }

    /// <summary>Completes when both directions have ended and the underlying connection is released.</summary>
    Task Completion { get; }

    /// <summary>
    /// The consumer took <paramref name="bytes"/> of input out of the channel's hands (parsed them,
    /// handed them to a stream, copied them out): a channel that counts its buffers in the
    /// connection's transport memory releases them. Call once per byte taken.
    /// </summary>
    /// <param name="bytes">How many.</param>
    void InputConsumed(int bytes)
    {
    }

    /// <summary>
    /// Call before sending a chunk of <paramref name="bytes"/> to <see cref="Output"/>: a channel
    /// that counts its buffers holds them in the connection's transport memory, and waits first
    /// while its budget has no room (the local writer waits instead of memory growing). Completes
    /// at once otherwise.
    /// </summary>
    /// <param name="bytes">The chunk's length.</param>
    /// <returns>Completes when the chunk may be sent.</returns>
    ValueTask HoldOutputAsync(int bytes) => default;

    /// <summary>Tears the channel down at once: pending chunks are dropped and both blocks fault with <paramref name="reason"/>.</summary>
    /// <param name="reason">Why; surfaces to whoever is reading or writing.</param>
    void Abort(Exception reason);
}
