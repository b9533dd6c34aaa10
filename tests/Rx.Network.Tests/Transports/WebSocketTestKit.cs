using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rx.Network.Addressing;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Transports;

/// <summary>Helpers for the WebSocket tests: loopback addresses and a self-signed certificate for /wss.</summary>
internal static class WebSocketTestKit
{
    public static Multiaddr Ws4 => Multiaddr.Parse("/ip4/127.0.0.1/tcp/0/ws");

    public static Multiaddr Ws6 => Multiaddr.Parse("/ip6/::1/tcp/0/ws");

    public static async Task<(IRawConnection Dialed, IRawConnection Accepted)> ConnectAsync(WebSocketTransport transport, IRawListener listener, Multiaddr? dialAddress = null)
    {
        var accepting = listener.AcceptAsync().AsTask();
        var dialed = await transport.DialAsync(dialAddress ?? listener.LocalAddress).WaitAsync(TcpTestKit.Wait);
        var accepted = await accepting.WaitAsync(TcpTestKit.Wait);
        Assert.NotNull(accepted);
        return (dialed, accepted);
    }

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, with its private key.</summary>
    public static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Client options that trust exactly <paramref name="certificate"/>.</summary>
    public static WebSocketTransportOptions Trusting(X509Certificate2 certificate) => new()
    {
        RemoteCertificateValidation = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString(),
    };
}
