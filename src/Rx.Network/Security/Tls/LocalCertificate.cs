using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rx.Network.Identity;

namespace Rx.Network.Security.Tls;

/// <summary>
/// Our side's libp2p TLS certificate: a fresh ECDSA P-256 key (unrelated to the host key, as the
/// spec asks), in a self-signed certificate whose one extension is the libp2p public key extension,
/// marked critical as go-libp2p and js-libp2p mark it.
/// </summary>
/// <remarks>
/// <para>One certificate serves every connection of a node (the spec allows reuse): it costs one key
/// generation and one host-key signature per node instead of per handshake.</para>
/// <para>The extension is the certificate's only one: js-libp2p reads the first extension and
/// refuses the certificate if that is not the libp2p one. Validity is one hour in the past (clock
/// skew) to 100 years ahead, as go-libp2p and js-libp2p choose.</para>
/// </remarks>
internal sealed class LocalCertificate : IDisposable
{
    /// <summary>How far before "now" the certificate becomes valid, to absorb the peers' clock skew.</summary>
    private static readonly TimeSpan ValidBefore = TimeSpan.FromHours(1);

    /// <summary>How long the certificate stays valid.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(100 * 365);

    private readonly ECDsa key;

    private LocalCertificate(ECDsa key, X509Certificate2 certificate)
    {
        this.key = key;
        Certificate = certificate;
        Context = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
    }

    /// <summary>The certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate as SslStream presents it (a chain of exactly this one certificate).</summary>
    public SslStreamCertificateContext Context { get; }

    /// <summary>Makes a certificate for <paramref name="identity"/>, valid from <paramref name="now"/> less an hour.</summary>
    /// <param name="identity">The host key that signs the certificate key.</param>
    /// <param name="now">The current time.</param>
    public static LocalCertificate Create(PrivateKey identity, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            var signedKey = new SignedKey(identity.PublicKey.ToProtobuf(), identity.Sign(SignedKey.SignedData(key.ExportSubjectPublicKeyInfo())));

            // A random serial number in the subject too, as go-libp2p does: every certificate differs.
            var subject = new X500DistinguishedName($"SERIALNUMBER={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509Extension(new Oid(SignedKey.ExtensionOid), signedKey.Encode(), critical: true));

            // Whole seconds: certificates carry no fractions, and a NotBefore rounded up could lie in the future.
            var notBefore = DateTimeOffset.FromUnixTimeSeconds((now - ValidBefore).ToUnixTimeSeconds());
            var certificate = request.CreateSelfSigned(notBefore, notBefore + Lifetime);
            return new LocalCertificate(key, certificate);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }
}
