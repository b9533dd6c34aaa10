using Rx.Network.Encoding;

namespace Rx.Network.Examples.FileTransfer;

/// <summary>
/// <c>/file/1.0.0</c>: the sender writes a <see cref="FileHeader"/>; the receiver answers with a
/// <see cref="TransferReply"/> (accepted or refused); if accepted, the sender writes exactly the
/// announced bytes and half-closes; the receiver checks size and SHA-256 and answers with a
/// second reply. Header and replies are <see cref="LengthPrefixed"/> messages.
/// </summary>
internal static class FileTransferProtocol
{
    public const string Id = "/file/1.0.0";

    /// <summary>The block size for moving file bytes: large enough to fill yamux frames.</summary>
    public const int BlockSize = 64 * 1024;

    public static ValueTask WriteReplyAsync(Stream stream, TransferReply reply, CancellationToken cancellationToken = default) =>
        LengthPrefixed.WriteAsync(stream, reply.Encode(), cancellationToken);

    /// <exception cref="WireProtocolViolationException">The stream ended first, or the reply is malformed.</exception>
    public static async Task<TransferReply> ReadReplyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var payload = await LengthPrefixed.ReadAsync(stream, TransferReply.MaxEncodedLength, cancellationToken).ConfigureAwait(false)
            ?? throw new WireProtocolViolationException("The receiver closed the stream without replying.");
        return TransferReply.Decode(payload);
    }
}
