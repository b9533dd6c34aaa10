namespace Rx.Network.Transports;

/// <summary>
/// An <see cref="IDuplexChannel"/> whose <see cref="IDuplexChannel.Input"/> can be waited on
/// without linking to the block, for its single consumer.
/// </summary>
/// <remarks>
/// Why: Dataflow's <c>OutputAvailableAsync</c> links a fresh target to the block each time it runs
/// empty, and the block then starts a task to offer it the next chunk: about 400 bytes per
/// wake-up, on the hottest loop of a connection. A channel that is the only producer of its input
/// block can instead signal one reusable waiter after each chunk it adds (the block stays: it is
/// still what bounds the input).
/// </remarks>
internal interface IInputReadiness
{
    /// <summary>
    /// Waits until the input block may hold a chunk (<see langword="true"/>: drain it with
    /// <c>TryReceive</c>, then wait again) or has ended with nothing left to take
    /// (<see langword="false"/>: await the block's completion for how it ended). Only one caller
    /// may wait at a time, and only after <c>TryReceive</c> came back empty.
    /// </summary>
    /// <returns>Whether to try receiving again.</returns>
    ValueTask<bool> WaitForInputAsync();
}
