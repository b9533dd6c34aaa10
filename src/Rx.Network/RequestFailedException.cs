using Rx.Network.Identity;

namespace Rx.Network;

/// <summary>
/// A request of a request/reply protocol (<see cref="Protocols.RequestReplyService"/>) was
/// refused or abandoned by the server, or the stream failed before the reply was complete: the
/// server reset the stream (its handler failed, it timed out, it was over its concurrency limit or
/// the request was above its size limit), closed it without replying, or the connection failed.
/// </summary>
/// <remarks>
/// The request may or may not have been processed by the server; only a reply proves it was.
/// <see cref="Exception.InnerException"/> holds the underlying failure, typically a
/// <see cref="StreamResetException"/> with <see cref="StreamResetException.Remote"/> set.
/// </remarks>
public class RequestFailedException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public RequestFailedException() : base("The request failed.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The description.</param>
    public RequestFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure.</param>
    public RequestFailedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a request of <paramref name="protocol"/> to <paramref name="peer"/>.</summary>
    /// <param name="protocol">The protocol id.</param>
    /// <param name="peer">The peer the request was sent to.</param>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    /// <exception cref="ArgumentNullException"><paramref name="protocol"/>, <paramref name="peer"/> or <paramref name="message"/> is null.</exception>
    public RequestFailedException(string protocol, PeerId peer, string message, Exception? innerException = null)
        : base(message ?? throw new ArgumentNullException(nameof(message)), innerException)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(peer);
        Protocol = protocol;
        Peer = peer;
    }

    /// <summary>The protocol id of the request, or <see langword="null"/> when unknown.</summary>
    public string? Protocol { get; }

    /// <summary>The peer the request was sent to, or <see langword="null"/> when unknown.</summary>
    public PeerId? Peer { get; }
}
