using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;

namespace Rx.Network.Transports;

/// <summary>
/// An <see cref="IDuplexChannel"/> whose receive stage can hand its chunks straight to the
/// consumer's block instead of through <see cref="IDuplexChannel.Input"/> (ADR 0011 §3).
/// </summary>
/// <remarks>
/// Why: linking <see cref="IDuplexChannel.Input"/> (a <see cref="BufferBlock{T}"/>) to the muxer's
/// demultiplexing block costs two hand-offs per burst (the buffer offers from a task it starts,
/// then the target starts its own). With the consumer's block as the receive stage's direct
/// target, a burst costs the one task the target starts, and the target's bound is the input's.
/// </remarks>
internal interface IDirectInput
{
    /// <summary>
    /// From now on, sends every received chunk into <paramref name="target"/> (first the chunks
    /// already waiting in <see cref="IDuplexChannel.Input"/>, in order), waiting while it is full
    /// (the backpressure that stops reading the socket), and completes it when the input ends
    /// cleanly or faults it when the channel fails; <see cref="IDuplexChannel.Input"/> is not used
    /// any more (the secure channel drops its block and returns an empty, completed one). Call
    /// once, with no reader of <see cref="IDuplexChannel.Input"/> left.
    /// </summary>
    /// <param name="target">The consumer's block; it owns each chunk it accepts.</param>
    void DeliverInputTo(ITargetBlock<PooledBuffer> target);
}
