using System.IO.Pipelines;
using Rx.Network.Resources;

namespace Rx.Network.Transports;

/// <summary>
/// An <see cref="IDuplexPipe"/> whose bytes count in a connection's <see cref="TransportMemory"/>,
/// so that the layers above it (the secure channel) count what they hold in the same buffers.
/// </summary>
internal interface IAccountedPipe : IDuplexPipe
{
    /// <summary>The connection's transport buffers; null when they are not counted.</summary>
    TransportMemory? Memory { get; }

    /// <summary>
    /// The most bytes <c>Input</c> holds unconsumed before its producer (the receive pump) pauses
    /// and adds no more until the reader consumes: the pipe's pause threshold, the transport's
    /// receive buffer bound. 0 when unknown.
    /// </summary>
    long InputBound => 0;
}
