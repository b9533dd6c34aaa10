namespace Rx.Network;

/// <summary>
/// The remote's TLS certificate broke a rule of the libp2p TLS specification, so the handshake was
/// aborted (<see cref="Failure"/> says which rule).
/// </summary>
public class CertificateRejectedException : HandshakeException
{
    /// <summary>Creates the exception with a default message.</summary>
    public CertificateRejectedException() : base("The remote's TLS certificate was rejected.") { }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    public CertificateRejectedException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public CertificateRejectedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a broken rule.</summary>
    /// <param name="failure">The rule the certificate broke.</param>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause, or null.</param>
    public CertificateRejectedException(CertificateFailure failure, string message, Exception? innerException = null)
        : base(message, innerException!)
    {
        Failure = failure;
    }

    /// <summary>The rule the certificate broke.</summary>
    public CertificateFailure Failure { get; } = CertificateFailure.Malformed;
}
