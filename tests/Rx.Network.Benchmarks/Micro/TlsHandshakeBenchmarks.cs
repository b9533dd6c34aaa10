using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Rx.Network.Identity;
using Rx.Network.Security;
using Rx.Network.Security.Noise;
using Rx.Network.Security.Tls;
using Rx.Network.Transports;
using PublicKey = Rx.Network.Identity.PublicKey;

namespace Rx.Network.Benchmarks.Micro;

/// <summary>
/// Where a libp2p TLS handshake's CPU goes beside the TLS library's own work: the whole handshake
/// (both ends, in memory, no sockets) against Noise's, and the steps of ours that run on every
/// handshake: loading the remote's DER certificate (what SslStream does before our callback),
/// the X.509 chain SslStream builds with our policy, and our libp2p verification
/// (<see cref="CertificateVerifier"/>: self-signature, extension, host-key signature).
/// </summary>
public class TlsHandshakeBenchmarks
{
    private PrivateKey alice = null!;
    private PrivateKey bob = null!;
    private LocalCertificate certificate = null!;
    private X509Certificate2 remote = null!;
    private byte[] der = [];
    private TlsSecurity tlsAlice = null!;
    private TlsSecurity tlsBob = null!;
    private NoiseSecurity noiseAlice = null!;
    private NoiseSecurity noiseBob = null!;

    [GlobalSetup]
    public void Setup()
    {
        alice = PrivateKey.Generate();
        bob = PrivateKey.Generate();
        certificate = LocalCertificate.Create(bob, DateTimeOffset.UtcNow);
        der = certificate.Certificate.RawData;
        remote = X509CertificateLoader.LoadCertificate(der);
        tlsAlice = new TlsSecurity(alice);
        tlsBob = new TlsSecurity(bob);
        noiseAlice = new NoiseSecurity(alice);
        noiseBob = new NoiseSecurity(bob);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        remote.Dispose();
        certificate.Dispose();
        alice.Dispose();
        bob.Dispose();
    }

    [Benchmark(Description = "TLS handshake, both ends")]
    public Task Tls() => HandshakeAsync(tlsAlice, tlsBob);

    [Benchmark(Baseline = true, Description = "Noise XX handshake, both ends")]
    public Task Noise() => HandshakeAsync(noiseAlice, noiseBob);

    [Benchmark(Description = "load the remote certificate (DER)")]
    public int Load()
    {
        using var loaded = X509CertificateLoader.LoadCertificate(der);
        return loaded.Version;
    }

    [Benchmark(Description = "X509Chain.Build, our policy")]
    public bool Chain()
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        return chain.Build(remote);
    }

    [Benchmark(Description = "CertificateVerifier.Verify")]
    public PublicKey Verify() => CertificateVerifier.Verify(remote, 1, DateTimeOffset.UtcNow);

    [Benchmark(Description = "  of which: GetECDsaPublicKey")]
    public int EcdsaKey()
    {
        using var key = remote.GetECDsaPublicKey()!;
        return key.KeySize;
    }

    [Benchmark(Description = "  of which: extensions, issuer, subject")]
    public int Fields()
    {
        int count = remote.IssuerName.RawData.Length + remote.SubjectName.RawData.Length;
        foreach (var extension in remote.Extensions)
        {
            count += extension.RawData.Length;
        }

        return count;
    }

    [Benchmark(Description = "  of which: validity period")]
    public bool Validity() => remote.NotBefore < remote.NotAfter;

    private async Task HandshakeAsync(ISecurityProtocol dialer, ISecurityProtocol listener)
    {
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = listener.SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [], default);
        var outbound = await dialer.SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), PeerId.FromPublicKey(bob.PublicKey), [], default);
        var accepted = await inbound;
        var reason = new OperationCanceledException("benchmark");
        outbound.Abort(reason);
        accepted.Abort(reason);
        await Task.WhenAll(outbound.Completion, accepted.Completion).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
