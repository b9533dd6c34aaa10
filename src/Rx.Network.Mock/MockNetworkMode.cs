namespace Rx.Network.Mock;

/// <summary>
/// Which connection pipeline mock peers run. Both run the real upgrade over the mock links
/// (multistream-select, a security handshake, yamux) and present the same <see cref="INetwork"/>;
/// they differ only in the security protocol.
/// </summary>
public enum MockNetworkMode
{
    /// <summary>
    /// Plaintext security (<c>/plaintext/2.0.0</c>): no key exchange and no encryption, so
    /// thousands of peers connect cheaply. Identities are still exchanged and checked. The default.
    /// </summary>
    Fast = 0,

    /// <summary>Noise, as in production: every handshake and frame is real cryptography.</summary>
    Secure,
}
