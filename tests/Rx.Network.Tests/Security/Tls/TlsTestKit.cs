using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rx.Network.Identity;
using Rx.Network.Security.Tls;

namespace Rx.Network.Tests.Security.Tls;

/// <summary>Certificates that break one rule at a time, and a bare SslStream peer to present them.</summary>
internal static class TlsTestKit
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A self-signed ECDSA certificate. With <paramref name="identity"/>, it carries the libp2p
    /// extension for it, signed by <paramref name="signer"/> (default: the identity itself).
    /// </summary>
    public static X509Certificate2 Certificate(
        PrivateKey? identity,
        PrivateKey? signer = null,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null,
        params X509Extension[] extra)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        if (identity is not null)
        {
            var signature = (signer ?? identity).Sign(SignedKey.SignedData(key.ExportSubjectPublicKeyInfo()));
            request.CertificateExtensions.Add(SignedKeyExtension(new SignedKey(identity.PublicKey.ToProtobuf(), signature).Encode()));
        }

        foreach (var extension in extra)
        {
            request.CertificateExtensions.Add(extension);
        }

        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(notBefore ?? now.AddHours(-1), notAfter ?? now.AddDays(1));
    }

    public static X509Extension SignedKeyExtension(byte[] value, bool critical = true) =>
        new(new Oid(SignedKey.ExtensionOid), value, critical);

    // These peers stand in for strangers: they accept whatever the node under test presents, so a
    // test sees the node's own verdict.
#pragma warning disable CA5359

    /// <summary>Runs a TLS 1.3 client that presents <paramref name="certificate"/> (or none) and accepts any server.</summary>
    public static async Task<SslStream> ClientAsync(IDuplexPipe pipe, X509Certificate2? certificate, params string[]? alpn)
    {
        var ssl = new SslStream(new PipeStream(pipe, int.MaxValue));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = string.Empty,
            EnabledSslProtocols = SslProtocols.Tls13,
            ClientCertificateContext = certificate is null ? null : SslStreamCertificateContext.Create(certificate, null, offline: true),
            ApplicationProtocols = alpn?.Select(a => new SslApplicationProtocol(a)).ToList(),
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            AllowTlsResume = false,
        }).WaitAsync(Wait);
        return ssl;
    }

    /// <summary>Runs a TLS 1.3 server that presents <paramref name="context"/>, requests a client certificate and accepts any.</summary>
    public static async Task<SslStream> ServerAsync(IDuplexPipe pipe, SslStreamCertificateContext context, params string[]? alpn)
    {
        var ssl = new SslStream(new PipeStream(pipe, int.MaxValue));
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls13,
            ServerCertificateContext = context,
            ClientCertificateRequired = true,
            ApplicationProtocols = alpn?.Select(a => new SslApplicationProtocol(a)).ToList(),
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            AllowTlsResume = false,
        }).WaitAsync(Wait);
        return ssl;
    }
#pragma warning restore CA5359
}
