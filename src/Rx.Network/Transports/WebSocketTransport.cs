using System.Net.Security;
using System.Net.Sockets;
using Rx.Network.Addressing;

namespace Rx.Network.Transports;

/// <summary>
/// The WebSocket transport (libp2p/specs <c>websockets/</c>): dials
/// <c>&lt;host&gt;/tcp/&lt;port&gt;/ws</c>, <c>/wss</c>, <c>/tls/ws</c> and <c>/tls/sni/&lt;name&gt;/ws</c>
/// (a trailing <c>/p2p/&lt;id&gt;</c> allowed), and listens on <c>/ip4|ip6/&lt;address&gt;/tcp/&lt;port&gt;/ws</c>
/// (and <c>/wss</c>, <c>/tls/ws</c> when <see cref="WebSocketTransportOptions.ServerCertificate"/> is set).
/// </summary>
/// <remarks>
/// The socket beneath is the TCP transport's (its connect timeout, backlog, SO_REUSEADDR and buffer
/// bounds); the HTTP upgrade is hand-written and bounded (<see cref="WebSocketHandshake"/>) and the
/// frames are <see cref="System.Net.WebSockets.WebSocket"/>'s. ADR 0009 records the choice.
/// </remarks>
internal sealed class WebSocketTransport(TcpTransportOptions? tcpOptions = null, WebSocketTransportOptions? options = null) : ITransport
{
    private readonly TcpTransport tcp = new(tcpOptions);
    private readonly WebSocketTransportOptions options = options ?? WebSocketTransportOptions.Default;

    public bool CanDial(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return WebSocketAddress.TryParse(address, forDial: true) is not null;
    }

    public bool CanListen(Multiaddr address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return WebSocketAddress.TryParse(address, forDial: false) is { } ws && (!ws.Secure || options.ServerCertificate is not null);
    }

    public async Task<IRawConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var ws = WebSocketAddress.TryParse(address, forDial: true)
            ?? throw new ArgumentException($"The WebSocket transport cannot dial {address}.", nameof(address));

        // The TCP connect, TLS and the upgrade share the connect timeout: a server that accepts and
        // then stalls costs the dialer no more than one that never answers.
        return await tcp.WithConnectTimeoutAsync(address, async token =>
        {
            var socket = await tcp.ConnectSocketAsync(ws.Tcp, token).ConfigureAwait(false);
            Stream? stream = null;
            try
            {
                stream = new NetworkStream(socket, ownsSocket: false);
                if (ws.Secure)
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                    stream = tls;
                    await tls.AuthenticateAsClientAsync(
                        new SslClientAuthenticationOptions
                        {
                            TargetHost = ws.ServerName,
                            RemoteCertificateValidationCallback = options.RemoteCertificateValidation,
                        },
                        token).ConfigureAwait(false);
                }

                var rest = await WebSocketHandshake.RequestAsync(stream, ws.HostHeader, options.MaxHandshakeSize, token).ConfigureAwait(false);
                return WebSocketConnection.Connected(socket, stream, rest, ws.Suffix, tcp.Options);
            }
            catch (Exception e)
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }

                socket.Dispose();
                throw e switch
                {
                    OperationCanceledException => e,
                    SocketException se => AddressedError.Dial(address, se.SocketErrorCode, $"{se.SocketErrorCode} ({se.Message}).", se),
                    System.Security.Authentication.AuthenticationException or WireProtocolViolationException or IOException =>
                        AddressedError.Dial(address, null, $"the WebSocket upgrade failed: {e.Message}", e),
                    _ => e,
                };
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<IRawListener> ListenAsync(Multiaddr address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var ws = WebSocketAddress.TryParse(address, forDial: false);
        if (ws is null || !CanListen(address))
        {
            throw new ArgumentException(
                ws is { Secure: true }
                    ? $"Listening on {address} needs a certificate (WebSocketTransportOptions.ServerCertificate)."
                    : $"The WebSocket transport cannot listen on {address}.",
                nameof(address));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<IRawListener>(cancellationToken);
        }

        try
        {
            var listener = new TcpTransportListener(tcp.Bind(ws.Tcp), tcp.Options);
            return Task.FromResult<IRawListener>(new WebSocketTransportListener(listener, ws.Suffix, ws.Secure ? options.ServerCertificate : null, tcp.Options, options));
        }
        catch (TransportException e)
        {
            return Task.FromException<IRawListener>(e);
        }
    }
}
