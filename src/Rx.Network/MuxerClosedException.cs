namespace Rx.Network;

/// <summary>
/// The multiplexed connection (muxer session) a stream belongs to has ended or is going away:
/// no new streams can be opened on it, and operations on its streams that were still open fail
/// with this exception.
/// </summary>
/// <remarks>
/// <see cref="Remote"/> tells which side ended the session; <see cref="ErrorCode"/> carries the
/// code of the yamux GoAway frame that ended it (0 normal, 1 protocol error, 2 internal error), or
/// <see langword="null"/> when no GoAway was involved (the connection simply closed or failed, see
/// <see cref="Exception.InnerException"/>).
/// </remarks>
public class MuxerClosedException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public MuxerClosedException() : base("The multiplexed connection is closed.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The description.</param>
    public MuxerClosedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that ended the session.</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure.</param>
    public MuxerClosedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a session ended by one side.</summary>
    /// <param name="message">The description.</param>
    /// <param name="remote"><see langword="true"/> when the remote peer ended the session.</param>
    /// <param name="errorCode">The GoAway code, or <see langword="null"/> when no GoAway was involved.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public MuxerClosedException(string message, bool remote, uint? errorCode, Exception? innerException = null)
        : base(message, innerException)
    {
        Remote = remote;
        ErrorCode = errorCode;
    }

    /// <summary><see langword="true"/> when the remote peer ended (or is ending) the session.</summary>
    public bool Remote { get; }

    /// <summary>The GoAway code that ended the session, or <see langword="null"/> when none was exchanged.</summary>
    public uint? ErrorCode { get; }
}
