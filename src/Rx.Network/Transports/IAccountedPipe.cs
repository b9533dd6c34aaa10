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
}
