using System.Net.Sockets;
using Rx.Network.Addressing;

namespace Rx.Network;

/// <summary>
/// A transport could not dial or listen on one address: the connection was refused or reset, the
/// host name did not resolve, the port was in use, or the transport's connect timeout elapsed
/// (then <see cref="SocketError"/> is <see cref="System.Net.Sockets.SocketError.TimedOut"/> and
/// the inner exception a <see cref="TimeoutException"/>).
/// </summary>
/// <remarks>
/// <para>The failure of one address; a dial of a peer, which tries several addresses, fails with a
/// <see cref="DialException"/> listing these per address. Cancellation by the caller is an
/// <see cref="OperationCanceledException"/> instead.</para>
/// <para>An <see cref="IOException"/>, so code that handles I/O failures handles this too. The
/// <see cref="System.Net.Sockets.SocketException"/> that caused it, if any, is the
/// <see cref="Exception.InnerException"/>; <see cref="SocketError"/> repeats its code so callers
/// can tell a refused connection from a timeout without unwrapping.</para>
/// </remarks>
public class TransportException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public TransportException() : base("The transport operation failed.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The description.</param>
    public TransportException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure.</param>
    public TransportException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for an address and the socket error that defeated it.</summary>
    /// <param name="address">The address dialed or listened on.</param>
    /// <param name="socketError">The socket error, or <see langword="null"/> when the failure was not a socket's.</param>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> or <paramref name="message"/> is null.</exception>
    public TransportException(Multiaddr address, SocketError? socketError, string message, Exception? innerException = null)
        : base(message ?? throw new ArgumentNullException(nameof(message)), innerException)
    {
        ArgumentNullException.ThrowIfNull(address);
        Address = address;
        SocketError = socketError;
    }

    /// <summary>The address dialed or listened on, when known.</summary>
    public Multiaddr? Address { get; }

    /// <summary>
    /// The socket error behind the failure, when there was one: for example
    /// <see cref="System.Net.Sockets.SocketError.ConnectionRefused"/>,
    /// <see cref="System.Net.Sockets.SocketError.HostNotFound"/>,
    /// <see cref="System.Net.Sockets.SocketError.AddressAlreadyInUse"/>, or
    /// <see cref="System.Net.Sockets.SocketError.TimedOut"/> (also used when the transport's own
    /// connect timeout elapsed).
    /// </summary>
    public SocketError? SocketError { get; }
}
