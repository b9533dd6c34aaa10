namespace Rx.Network;

/// <summary>The security protocols a network can offer.</summary>
public enum SecurityProtocol
{
    /// <summary><c>/noise</c>: Noise XX with X25519, ChaCha20-Poly1305 and SHA-256. The default.</summary>
    Noise,

    /// <summary><c>/plaintext/2.0.0</c>: no encryption and no authentication. For tests and baselines only.</summary>
    Plaintext,

    /// <summary>
    /// <c>/tls/1.0.0</c>: libp2p's TLS 1.3 handshake (self-signed certificates carrying the host key,
    /// mutual authentication, muxer chosen in ALPN), go-libp2p's default and widely deployed.
    /// </summary>
    Tls,
}
