using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rx.Network.Identity;
using Rx.Network.Security.Tls;

namespace Rx.Network.Tests.Security.Tls;

public class CertificateVerifierTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    // tls.md, "Test vectors": certificates valid from 1975 to 4096.
    [Theory]
    [InlineData(SpecVectors.Ed25519, "12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv")]
    [InlineData(SpecVectors.Ecdsa, "QmfXbAwNjJLXfesgztEHe8HwgVDCMMpZ9Eax1HYq6hn9uE")]
    [InlineData(SpecVectors.Secp256k1, "16Uiu2HAkutTMoTzDw1tCvSRtu6YoixJwS46S1ZFxW8hSx9fWHiPs")]
    public void Verify_SpecVectors_GiveThePeerId(string hex, string peerId)
    {
        var key = CertificateVerifier.Verify(Convert.FromHexString(hex), Now);
        Assert.Equal(PeerId.Parse(peerId), PeerId.FromPublicKey(key));
    }

    [Fact]
    public void Verify_SpecInvalidVector_IsRefused()
    {
        var e = Assert.Throws<CertificateRejectedException>(() => CertificateVerifier.Verify(Convert.FromHexString(SpecVectors.Invalid), Now));
        Assert.Equal(CertificateFailure.InvalidKeySignature, e.Failure);
    }

    [Fact]
    public void LocalCertificate_RoundTrips_WithTheExtensionFirstAndCritical()
    {
        using var identity = PrivateKey.Generate();
        using var local = LocalCertificate.Create(identity, Now);
        Assert.True(local.Certificate.HasPrivateKey);
        var first = local.Certificate.Extensions[0];
        Assert.Equal(SignedKey.ExtensionOid, first.Oid?.Value);
        Assert.True(first.Critical);
        Assert.Single(local.Certificate.Extensions);
        Assert.Equal(identity.PublicKey, CertificateVerifier.Verify(local.Certificate, 1, Now));
        Assert.Equal(identity.PublicKey, CertificateVerifier.Verify(local.Certificate.RawData, Now.AddYears(99)));
    }

    [Fact]
    public void Verify_NoCertificate_IsRefused() =>
        AssertRefused(CertificateFailure.NoCertificate, () => CertificateVerifier.Verify(null, 0, Now));

    [Fact]
    public void Verify_TwoCertificates_IsRefused()
    {
        using var identity = PrivateKey.Generate();
        using var certificate = TlsTestKit.Certificate(identity);
        AssertRefused(CertificateFailure.TooManyCertificates, () => CertificateVerifier.Verify(certificate, 2, Now));
    }

    [Fact]
    public void Verify_MissingExtension_IsRefused()
    {
        using var certificate = TlsTestKit.Certificate(identity: null);
        AssertRefused(CertificateFailure.MissingExtension, () => CertificateVerifier.Verify(certificate, 1, Now));
    }

    [Fact]
    public void Verify_ForgedSignature_IsRefused()
    {
        using var identity = PrivateKey.Generate();
        using var forger = PrivateKey.Generate();
        using var certificate = TlsTestKit.Certificate(identity, signer: forger);
        AssertRefused(CertificateFailure.InvalidKeySignature, () => CertificateVerifier.Verify(certificate, 1, Now));
    }

    [Fact]
    public void Verify_SignatureOverAnotherKey_IsRefused()
    {
        // An identity signature lifted from another certificate: valid, but over another SPKI.
        using var identity = PrivateKey.Generate();
        using var original = LocalCertificate.Create(identity, Now);
        var lifted = original.Certificate.Extensions[0].RawData;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=thief", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(TlsTestKit.SignedKeyExtension(lifted));
        using var stolen = request.CreateSelfSigned(Now.AddHours(-1), Now.AddDays(1));
        AssertRefused(CertificateFailure.InvalidKeySignature, () => CertificateVerifier.Verify(stolen, 1, Now));
    }

    [Fact]
    public void Verify_Expired_IsRefused()
    {
        using var identity = PrivateKey.Generate();
        using var certificate = TlsTestKit.Certificate(identity, notBefore: Now.AddDays(-2), notAfter: Now.AddDays(-1));
        AssertRefused(CertificateFailure.Expired, () => CertificateVerifier.Verify(certificate, 1, Now));
    }

    [Fact]
    public void Verify_NotYetValid_IsRefused()
    {
        using var identity = PrivateKey.Generate();
        using var certificate = TlsTestKit.Certificate(identity, notBefore: Now.AddDays(1), notAfter: Now.AddDays(2));
        AssertRefused(CertificateFailure.NotYetValid, () => CertificateVerifier.Verify(certificate, 1, Now));
    }

    [Fact]
    public void Verify_UnknownCriticalExtension_IsRefused_NonCriticalIgnored()
    {
        using var identity = PrivateKey.Generate();
        using var critical = TlsTestKit.Certificate(identity, extra: new X509Extension("1.2.3.4.5", [5, 0], critical: true));
        AssertRefused(CertificateFailure.UnsupportedField, () => CertificateVerifier.Verify(critical, 1, Now));

        using var plain = TlsTestKit.Certificate(identity, extra: new X509Extension("1.2.3.4.5", [5, 0], critical: false));
        Assert.Equal(identity.PublicKey, CertificateVerifier.Verify(plain, 1, Now));
    }

    [Fact]
    public void Verify_NonCriticalLibp2pExtension_IsAccepted()
    {
        using var identity = PrivateKey.Generate();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        var signature = identity.Sign(SignedKey.SignedData(key.ExportSubjectPublicKeyInfo()));
        request.CertificateExtensions.Add(TlsTestKit.SignedKeyExtension(new SignedKey(identity.PublicKey.ToProtobuf(), signature).Encode(), critical: false));
        using var certificate = request.CreateSelfSigned(Now.AddHours(-1), Now.AddDays(1));
        Assert.Equal(identity.PublicKey, CertificateVerifier.Verify(certificate, 1, Now));
    }

    [Theory]
    [InlineData(new byte[] { 0x04, 0x01, 0x00 })] // an OCTET STRING, not a SEQUENCE
    [InlineData(new byte[] { 0x30, 0x03, 0x04, 0x01, 0x00 })] // one field missing
    [InlineData(new byte[] { 0x30, 0x06, 0x04, 0x01, 0x00, 0x04, 0x01, 0x00 })] // an unreadable host key
    public void Verify_MalformedExtension_IsRefused(byte[] value)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(TlsTestKit.SignedKeyExtension(value));
        using var certificate = request.CreateSelfSigned(Now.AddHours(-1), Now.AddDays(1));
        AssertRefused(CertificateFailure.MalformedExtension, () => CertificateVerifier.Verify(certificate, 1, Now));
    }

    [Fact]
    public void Verify_BadSelfSignature_IsRefused()
    {
        using var identity = PrivateKey.Generate();
        using var certificate = TlsTestKit.Certificate(identity);
        var der = certificate.RawData;
        der[^3] ^= 0x55; // inside the ECDSA signature's last integer
        AssertRefused(CertificateFailure.InvalidSelfSignature, () => CertificateVerifier.Verify(der, Now));
    }

    [Fact]
    public void Verify_NotSelfIssued_IsRefused()
    {
        using var identity = PrivateKey.Generate();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(Now.AddHours(-1), Now.AddDays(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=leaf", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(TlsTestKit.SignedKeyExtension(new SignedKey(identity.PublicKey.ToProtobuf(), identity.Sign(SignedKey.SignedData(key.ExportSubjectPublicKeyInfo()))).Encode()));
        using var leaf = request.Create(ca, Now.AddHours(-1), Now.AddDays(1), [1, 2, 3]);
        AssertRefused(CertificateFailure.Malformed, () => CertificateVerifier.Verify(leaf, 1, Now));
    }

    [Fact]
    public void Verify_Garbage_IsRefused() =>
        AssertRefused(CertificateFailure.Malformed, () => CertificateVerifier.Verify(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }, Now));

    [Fact]
    public void SignedKey_RoundTrips()
    {
        var value = new SignedKey([1, 2, 3], [4, 5]);
        var decoded = SignedKey.Decode(value.Encode());
        Assert.Equal(value.PublicKey, decoded.PublicKey);
        Assert.Equal(value.Signature, decoded.Signature);
        Assert.Throws<FormatException>(() => SignedKey.Decode(new byte[] { 0x30, 0x80 }));
    }

    private static void AssertRefused(CertificateFailure failure, Action verify)
    {
        var e = Assert.Throws<CertificateRejectedException>(verify);
        Assert.Equal(failure, e.Failure);
    }
}
