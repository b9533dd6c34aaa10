using System.IO.Pipelines;
using Rx.Network.Addressing;
using Rx.Network.Resources;

namespace Rx.Network.Transports;

/// <summary>
/// A transport connection before any upgrade: a bidirectional byte pipe between two addresses,
/// neither encrypted nor multiplexed. multistream-select and the security handshake run on
/// <see cref="Pipe"/> next.
/// </summary>
/// <remarks>
/// <para>Writing: bytes written and flushed to <c>Pipe.Output</c> are sent in order; completing it
/// is a half-close (the remote reads the end of the stream while we keep reading). Flushes wait while
/// the send buffer is full.</para>
/// <para>Reading: <c>Pipe.Input</c> completes when the remote half-closed, and fails with an
/// <see cref="IOException"/> when the connection was reset or aborted.</para>
/// </remarks>
internal interface IRawConnection : IAsyncDisposable
{
    /// <summary>The connection's bytes: <c>Input</c> from the remote, <c>Output</c> to it.</summary>
    IDuplexPipe Pipe { get; }

    /// <summary>
    /// What the connection's buffers hold, per direction (<see cref="TransportMemory"/>), for the
    /// resource manager to govern; null for a transport that does not count its buffers.
    /// </summary>
    TransportMemory? Memory => null;

    /// <summary>Our end's address (for TCP, the bound IP and port).</summary>
    Multiaddr LocalAddress { get; }

    /// <summary>The remote end's address as the transport sees it (for TCP, the connected IP and port).</summary>
    Multiaddr RemoteAddress { get; }

    /// <summary>
    /// Tears the connection down at once: queued bytes are dropped, the remote sees a reset, and both
    /// pipe directions fail with an <see cref="IOException"/>. Idempotent.
    /// </summary>
    void Abort();
}
