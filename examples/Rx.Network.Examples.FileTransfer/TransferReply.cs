using System.Text;

namespace Rx.Network.Examples.FileTransfer;

/// <summary>
/// The receiver's answer, sent twice per transfer: once after the header (accepted or refused)
/// and once after the bytes (stored, or why not).
/// </summary>
/// <remarks>Encoded as one status byte (0 = ok, 1 = refused or failed) followed by a UTF-8 message.</remarks>
public sealed record TransferReply
{
    /// <summary>The longest message, in UTF-8 bytes.</summary>
    public const int MaxMessageBytes = 1024;

    /// <summary>The longest encoded reply.</summary>
    public const int MaxEncodedLength = 1 + MaxMessageBytes;

    private const byte OkStatus = 0;
    private const byte FailedStatus = 1;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Creates a reply.</summary>
    /// <param name="ok">Whether the step succeeded.</param>
    /// <param name="message">What happened, for people; longer messages are cut to <see cref="MaxMessageBytes"/> UTF-8 bytes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public TransferReply(bool ok, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Ok = ok;
        Message = Shorten(message);
    }

    /// <summary>Whether the step succeeded.</summary>
    public bool Ok { get; }

    /// <summary>What happened, for people.</summary>
    public string Message { get; }

    /// <summary>Decodes a reply received from a peer.</summary>
    /// <param name="bytes">The payload of the reply message.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="WireProtocolViolationException">The bytes are not a well-formed reply.</exception>
    public static TransferReply Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            throw new WireProtocolViolationException("A reply has at least a status byte.");
        }

        if (bytes[0] is not (OkStatus or FailedStatus))
        {
            throw new WireProtocolViolationException($"Unknown reply status {bytes[0]}.");
        }

        if (bytes.Length > MaxEncodedLength)
        {
            throw new WireProtocolViolationException($"A reply message is at most {MaxMessageBytes} bytes.");
        }

        try
        {
            return new TransferReply(bytes[0] == OkStatus, Utf8.GetString(bytes[1..]));
        }
        catch (DecoderFallbackException e)
        {
            throw new WireProtocolViolationException("The reply message is not valid UTF-8.", e);
        }
    }

    /// <summary>Encodes the reply (the payload of one length-prefixed message).</summary>
    /// <returns>The bytes.</returns>
    public byte[] Encode()
    {
        var result = new byte[1 + Utf8.GetByteCount(Message)];
        result[0] = Ok ? OkStatus : FailedStatus;
        Utf8.GetBytes(Message, result.AsSpan(1));
        return result;
    }

    private static string Shorten(string message)
    {
        // Replace rather than reject lone surrogates: the message is for people, and often
        // quotes a file name we received.
        var bytes = System.Text.Encoding.UTF8.GetBytes(message);
        if (bytes.Length <= MaxMessageBytes && System.Text.Encoding.UTF8.GetString(bytes) == message)
        {
            return message;
        }

        int length = Math.Min(bytes.Length, MaxMessageBytes);

        // Back up to a character boundary so the cut does not split a UTF-8 sequence.
        while (length > 0 && length < bytes.Length && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }

        return System.Text.Encoding.UTF8.GetString(bytes, 0, length);
    }
}
