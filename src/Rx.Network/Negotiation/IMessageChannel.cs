namespace Rx.Network.Negotiation;

/// <summary>
/// The two operations negotiation needs from the channel beneath it: read one multistream message,
/// write a batch of already framed messages. Lets the negotiation logic run unchanged over a
/// <see cref="System.IO.Pipelines.IDuplexPipe"/> or a <see cref="Stream"/>.
/// </summary>
internal interface IMessageChannel
{
    /// <summary>
    /// Reads exactly one message and nothing past it (the bytes that follow belong to the
    /// negotiated protocol).
    /// </summary>
    /// <returns>The text without its trailing newline, or <see langword="null"/> when the remote closed cleanly before the message began.</returns>
    /// <exception cref="WireProtocolViolationException">The message is malformed or truncated.</exception>
    /// <exception cref="MessageTooLargeException">The message is over <see cref="MultistreamSelect.MaxMessageLength"/> bytes.</exception>
    ValueTask<string?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="frames"/> in one write and flushes.</summary>
    /// <returns><see langword="false"/> when the remote no longer reads (our write side is gone).</returns>
    ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken);
}
