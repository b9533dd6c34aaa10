namespace Rx.Network.Resources;

/// <summary>
/// The transport buffers of one connection, one <see cref="TransportBuffer"/> per direction: what
/// it holds between its socket and its muxer. Created with the raw connection (so every byte is
/// counted from the first), governed by the connection's scope once
/// <see cref="ConnectionScope.AttachTransport"/> attaches it.
/// </summary>
/// <remarks>
/// Receive: the socket's receive pump holds what it reads; the pipe's reader releases what the
/// handshakes and the secure channel consume; the secure channel holds the plaintext it queues for
/// the muxer, which releases it as it takes it. Send: the muxer's writer (or the negotiation before
/// it) holds each chunk before it queues it, the secure channel releases it once flushed to the
/// pipe, the pipe's writer holds what is written to it, and the socket's send pump releases what
/// was sent.
/// </remarks>
internal sealed class TransportMemory
{
    /// <summary>Bytes received and not yet taken by the muxer.</summary>
    public TransportBuffer Receive { get; } = new();

    /// <summary>Bytes the muxer handed over and the socket has not sent yet.</summary>
    public TransportBuffer Send { get; } = new();

    /// <summary>The connection is ending: both directions stop waiting and limiting (see <see cref="TransportBuffer.Stop"/>).</summary>
    public void Stop()
    {
        Receive.Stop();
        Send.Stop();
    }
}
