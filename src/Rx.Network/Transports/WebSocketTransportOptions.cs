using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Rx.Network.Transports;

/// <summary>
/// Settings of the WebSocket transport (<c>/ws</c>, <c>/wss</c>, <c>/tls/ws</c>): the bound of the
/// HTTP upgrade and the certificates of <c>/wss</c>. The socket beneath follows
/// <see cref="TcpTransportOptions"/> (connect timeout, backlog, buffer bounds) like any TCP connection.
/// </summary>
/// <remarks>
/// <para>Time limits: a dial's TCP connect, TLS handshake and HTTP upgrade together must finish within
/// <see cref="TcpTransportOptions.ConnectTimeout"/>; an accepted connection's TLS handshake and HTTP
/// upgrade run inside the network's upgrade deadline (<c>UpgradeOptions.Timeout</c>), so a client
/// that sends its headers slowly is dropped like one that stalls in the Noise handshake.</para>
/// <para>Immutable once built (<c>init</c> properties).</para>
/// </remarks>
public sealed class WebSocketTransportOptions
{
    /// <summary>The default of <see cref="MaxHandshakeSize"/>: 16 KiB (browsers send under 1 KiB on loopback).</summary>
    public const int DefaultMaxHandshakeSize = 16 * 1024;

    /// <summary>The smallest accepted <see cref="MaxHandshakeSize"/>: 1 KiB.</summary>
    public const int MinHandshakeSize = 1024;

    private readonly int maxHandshakeSize = DefaultMaxHandshakeSize;

    /// <summary>The options used when none are given: <c>/ws</c> only, dialing <c>/wss</c> with the system's certificate checks.</summary>
    public static WebSocketTransportOptions Default { get; } = new();

    /// <summary>
    /// The most bytes of an HTTP upgrade request (request line and headers), or of the response to
    /// ours, that are read. A longer request is refused with <c>431</c> and its connection closed.
    /// Default <see cref="DefaultMaxHandshakeSize"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below <see cref="MinHandshakeSize"/>.</exception>
    public int MaxHandshakeSize
    {
        get => maxHandshakeSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, MinHandshakeSize);
            maxHandshakeSize = value;
        }
    }

    /// <summary>
    /// The certificate (with its private key) a <c>/wss</c> or <c>/tls/ws</c> listener presents, so
    /// that a page served over https can dial it. Without one, those addresses cannot be listened on.
    /// The network does not dispose it.
    /// </summary>
    public X509Certificate2? ServerCertificate { get; init; }

    /// <summary>
    /// Checks the certificate of a <c>/wss</c> server we dial; <see langword="null"/> (the default)
    /// applies the system's chain and host-name validation against the address's <c>/sni</c> or
    /// <c>/dns</c> name (or its IP address).
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; init; }
}
