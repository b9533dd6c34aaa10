namespace Rx.Network;

/// <summary>
/// A stream was reset: abruptly closed in both directions, by the remote peer or locally. Data
/// not yet read is discarded and later reads and writes fail with this exception.
/// </summary>
/// <remarks>
/// Mirrors go-libp2p's <c>StreamError{ErrorCode, Remote}</c>: <see cref="Remote"/> tells who
/// reset the stream, <see cref="Code"/> carries the error code of muxers that have one (a yamux
/// reset sent in a window-update frame may carry one in its length field; otherwise 0).
/// </remarks>
public class StreamResetException : IOException
{
    /// <summary>Creates the exception with a default message (a local reset, code 0).</summary>
    public StreamResetException() : base("The stream was reset.") { }

    /// <summary>Creates the exception with a message (a local reset, code 0).</summary>
    /// <param name="message">The description.</param>
    public StreamResetException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception (a local reset, code 0).</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure.</param>
    public StreamResetException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a reset by one side, with an error code.</summary>
    /// <param name="remote"><see langword="true"/> when the remote peer reset the stream.</param>
    /// <param name="code">The muxer's error code, 0 when it has none.</param>
    public StreamResetException(bool remote, uint code = 0)
        : base(remote
            ? $"The stream was reset by the remote peer (code {code})."
            : $"The stream was reset locally (code {code}).")
    {
        Remote = remote;
        Code = code;
    }

    /// <summary>The muxer's error code; 0 when the muxer has none (plain yamux resets carry none).</summary>
    public uint Code { get; }

    /// <summary><see langword="true"/> when the remote peer reset the stream, <see langword="false"/> when it was reset locally.</summary>
    public bool Remote { get; }
}
