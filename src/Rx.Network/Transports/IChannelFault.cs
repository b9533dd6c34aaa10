namespace Rx.Network.Transports;

/// <summary>
/// An <see cref="IDuplexChannel"/> that tells why it was aborted, for the consumer that finds its
/// <see cref="IDuplexChannel.Output"/> declining before the <see cref="IDuplexChannel.Input"/>
/// fault (which carries the same reason) has reached it.
/// </summary>
/// <remarks>
/// Why: when a secured connection fails on its receive side (a forged record, garbage under the
/// security layer), the muxer's writer may be the first to notice, as a declined send; without
/// the reason, the connection would end with a bare "no longer accepts data" instead of the
/// typed error that closed it, depending on which loop ran first.
/// </remarks>
internal interface IChannelFault
{
    /// <summary>The reason given to <see cref="IDuplexChannel.Abort"/> (set before the blocks are faulted), or <see langword="null"/>.</summary>
    Exception? Fault { get; }
}
