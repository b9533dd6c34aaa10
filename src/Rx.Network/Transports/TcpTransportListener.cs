using System.Net;
using System.Net.Sockets;
using Rx.Network.Addressing;

namespace Rx.Network.Transports;

/// <summary>A listening TCP socket handing out <see cref="TcpConnection"/>s.</summary>
internal sealed class TcpTransportListener : IRawListener
{
    private readonly Socket socket;
    private readonly TcpTransportOptions options;
    private int disposed;

    public TcpTransportListener(Socket socket, TcpTransportOptions options)
    {
        this.socket = socket;
        this.options = options;
        LocalAddress = Multiaddr.FromEndPoint((IPEndPoint)socket.LocalEndPoint!);
    }

    public Multiaddr LocalAddress { get; }

    /// <summary>The listening socket, for tests of its options.</summary>
    internal Socket Socket => socket;

    public async ValueTask<IRawConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await AcceptSocketAsync(cancellationToken).ConfigureAwait(false) is { } accepted)
        {
            try
            {
                return TcpConnection.Create(accepted, options);
            }
            catch (SocketException)
            {
                // Reset between accept and reading its endpoints: drop it and wait for the next.
                accepted.Dispose();
            }
        }

        return null;
    }

    /// <summary>
    /// Waits for the next accepted socket (a transport on top of TCP wraps it its own way);
    /// <see langword="null"/> once the listener is disposed.
    /// </summary>
    /// <exception cref="TransportException">Accepting failed for a reason other than the listener closing.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    internal async ValueTask<Socket?> AcceptSocketAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Volatile.Read(ref disposed) != 0)
            {
                return null;
            }

            try
            {
                return await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException) when (Volatile.Read(ref disposed) != 0)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                // The client gave up before we accepted it: not the listener's failure.
                continue;
            }
            catch (SocketException e)
            {
                throw AddressedError.Listen(LocalAddress, e.SocketErrorCode, $"accepting a connection failed ({e.SocketErrorCode}).", e);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            // Closing the socket ends a pending AcceptAsync; connections already accepted live on.
            socket.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
