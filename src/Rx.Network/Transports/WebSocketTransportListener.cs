using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Rx.Network.Addressing;

namespace Rx.Network.Transports;

/// <summary>
/// A listening TCP socket handing out <see cref="WebSocketConnection"/>s as soon as TCP accepts
/// them: each one's TLS and HTTP upgrade run inside the connection, so the accept loop never waits
/// for a slow client and the network's inbound limits count it from its first byte.
/// </summary>
internal sealed class WebSocketTransportListener(TcpTransportListener tcp, Multiaddr suffix, X509Certificate2? certificate, TcpTransportOptions tcpOptions, WebSocketTransportOptions options) : IRawListener
{
    public Multiaddr LocalAddress { get; } = tcp.LocalAddress.Encapsulate(suffix);

    public async ValueTask<IRawConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await tcp.AcceptSocketAsync(cancellationToken).ConfigureAwait(false) is { } accepted)
        {
            try
            {
                return WebSocketConnection.Accept(accepted, suffix, certificate, tcpOptions, options);
            }
            catch (SocketException)
            {
                // Reset between accept and reading its endpoints: drop it and wait for the next.
                accepted.Dispose();
            }
        }

        return null;
    }

    public ValueTask DisposeAsync() => tcp.DisposeAsync();
}
