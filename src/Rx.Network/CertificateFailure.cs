namespace Rx.Network;

/// <summary>
/// Which rule of the libp2p TLS specification (<c>tls/tls.md</c>) a remote's certificate broke.
/// </summary>
public enum CertificateFailure
{
    /// <summary>The remote presented no certificate (a client must present one).</summary>
    NoCertificate,

    /// <summary>The remote sent a chain of more than one certificate.</summary>
    TooManyCertificates,

    /// <summary>The certificate could not be parsed, or is not self-issued.</summary>
    Malformed,

    /// <summary>The certificate's <c>NotBefore</c> is in the future.</summary>
    NotYetValid,

    /// <summary>The certificate's <c>NotAfter</c> is in the past.</summary>
    Expired,

    /// <summary>The certificate's own signature (its self-signature) does not verify, or uses an algorithm we do not support.</summary>
    InvalidSelfSignature,

    /// <summary>The libp2p public key extension (OID 1.3.6.1.4.1.53594.1.1) is missing.</summary>
    MissingExtension,

    /// <summary>The libp2p public key extension is not a valid <c>SignedKey</c>, or its public key cannot be read.</summary>
    MalformedExtension,

    /// <summary>The certificate carries a critical extension we do not understand, or a deprecated unique-ID field.</summary>
    UnsupportedField,

    /// <summary>The host key's signature over the certificate's key does not verify.</summary>
    InvalidKeySignature,
}
