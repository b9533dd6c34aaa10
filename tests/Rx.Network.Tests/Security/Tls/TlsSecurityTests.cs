using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Time.Testing;
using Rx.Network.Encoding;
using Rx.Network.Identity;
using Rx.Network.Security;
using Rx.Network.Security.Tls;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Security.Tls;

public class TlsSecurityTests
{
    private const string Yamux = "/yamux/1.0.0";
    private static readonly TimeSpan Wait = TlsTestKit.Wait;

    [Fact]
    public void Constructor_ChecksArguments()
    {
        using var key = PrivateKey.Generate();
        Assert.Equal("/tls/1.0.0", new TlsSecurity(key).ProtocolId);
        Assert.Throws<ArgumentNullException>(() => new TlsSecurity(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TlsSecurity(key, handshakeTimeout: TimeSpan.Zero));
        _ = new TlsSecurity(key, handshakeTimeout: Timeout.InfiniteTimeSpan);
    }

    [Fact]
    public async Task Handshake_BothOfferYamux_AgreeOnItInAlpn()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (outbound, inbound) = await PairAsync(alice, bob, [Yamux], [Yamux]);
        Assert.Equal(PeerId.FromPublicKey(bob.PublicKey), outbound.RemotePeer);
        Assert.Equal(PeerId.FromPublicKey(alice.PublicKey), inbound.RemotePeer);
        Assert.Equal(alice.PublicKey, inbound.RemotePublicKey);
        Assert.Equal("/tls/1.0.0", outbound.SecurityProtocol);
        Assert.Equal(Yamux, outbound.EarlyMuxer);
        Assert.Equal(Yamux, inbound.EarlyMuxer);

        await SecureChannelConformance.SendAllAsync(outbound, [1, 2, 3], 1);
        Assert.Equal([1, 2, 3], await SecureChannelConformance.ReadAllAsync(inbound, 3));
        outbound.Abort(new IOException("done"));
        inbound.Abort(new IOException("done"));
    }

    [Fact]
    public async Task Read_EndsEachChunkWhereTheSendersWriteEnded()
    {
        // A yamux-sized frame (12-byte header + 65,507 bytes) is one write: four records, the last
        // one short. Each must arrive as one chunk, so that the muxer can take the chunk over
        // instead of copying the payload; the small writes around it arrive as their own chunks.
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (outbound, inbound) = await PairAsync(alice, bob, [Yamux], [Yamux]);
        byte[][] writes = [[1, 2, 3], RandomNumberGenerator.GetBytes(65_519), [4, 5], RandomNumberGenerator.GetBytes(65_519), RandomNumberGenerator.GetBytes(20_000)];
        foreach (var write in writes)
        {
            Assert.True(await outbound.Output.SendAsync(PooledBuffer.CopyOf(write)).WaitAsync(Wait));
        }

        foreach (var write in writes)
        {
            var chunk = await inbound.Input.ReceiveAsync(Wait);
            try
            {
                Assert.Equal(write, chunk.Span.ToArray());
            }
            finally
            {
                chunk.Return();
            }
        }

        outbound.Abort(new IOException("done"));
        inbound.Abort(new IOException("done"));
    }

    [Fact]
    public async Task Handshake_NoCommonMuxer_FallsBackToLibp2p()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        var (outbound, inbound) = await PairAsync(alice, bob, [Yamux], ["/mplex/6.7.0"]);
        Assert.Null(outbound.EarlyMuxer);
        Assert.Null(inbound.EarlyMuxer);
        outbound.Abort(new IOException("done"));
        inbound.Abort(new IOException("done"));
    }

    [Theory]
    [InlineData(new[] { Yamux, TlsSecurity.Alpn }, Yamux)]
    [InlineData(new[] { "/mplex/6.7.0", Yamux, TlsSecurity.Alpn }, Yamux)]
    [InlineData(new[] { TlsSecurity.Alpn }, null)]
    [InlineData(null, null)]
    public async Task Inbound_ClientAlpn_PicksMuxerOrLibp2p(string[]? alpn, string? muxer)
    {
        using var bob = PrivateKey.Generate();
        using var alice = PrivateKey.Generate();
        using var certificate = TlsTestKit.Certificate(alice);
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new TlsSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [Yamux], default);
        await using var client = await TlsTestKit.ClientAsync(left, certificate, alpn);
        var accepted = await inbound.WaitAsync(Wait);
        Assert.Equal(muxer, accepted.EarlyMuxer);
        Assert.Equal(muxer ?? (alpn is null ? string.Empty : TlsSecurity.Alpn), client.NegotiatedApplicationProtocol.ToString());
        accepted.Abort(new IOException("done"));
    }

    [Fact]
    public async Task Inbound_AlpnWithNeitherLibp2pNorMuxer_IsRefused()
    {
        using var bob = PrivateKey.Generate();
        using var alice = PrivateKey.Generate();
        using var certificate = TlsTestKit.Certificate(alice);
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new TlsSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [Yamux], default);
        await Assert.ThrowsAnyAsync<AuthenticationException>(() => TlsTestKit.ClientAsync(left, certificate, "h2"));
        left.Output.Complete();
        await Assert.ThrowsAsync<HandshakeException>(() => inbound.WaitAsync(Wait));
    }

    [Fact]
    public async Task Inbound_PrefersAes128Gcm()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        using var certificate = TlsTestKit.Certificate(alice);
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new TlsSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [], default);

        // The bare client offers OpenSSL's default order (AES-256-GCM first); the server picks by its own.
        await using var ssl = await TlsTestKit.ClientAsync(left, certificate);
        var accepted = await inbound.WaitAsync(Wait);
        Assert.Equal(TlsCipherSuite.TLS_AES_128_GCM_SHA256, ssl.NegotiatedCipherSuite);
        accepted.Abort(new IOException("done"));
    }

    [Theory]
    [InlineData(TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256)]
    [InlineData(TlsCipherSuite.TLS_AES_256_GCM_SHA384)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Inbound_ClientOfferingOneOtherSuite_IsServed(TlsCipherSuite suite)
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        using var certificate = TlsTestKit.Certificate(alice);
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new TlsSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [], default);
        await using var ssl = new SslStream(new PipeStream(left, int.MaxValue));
#pragma warning disable CA5359 // a stand-in stranger: it accepts what the node under test presents
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = string.Empty,
            EnabledSslProtocols = SslProtocols.Tls13,
            ClientCertificateContext = SslStreamCertificateContext.Create(certificate, null, offline: true),
            CipherSuitesPolicy = new CipherSuitesPolicy([suite]),
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            AllowTlsResume = false,
        }).WaitAsync(Wait);
#pragma warning restore CA5359
        var accepted = await inbound.WaitAsync(Wait);
        Assert.Equal(suite, ssl.NegotiatedCipherSuite);
        Assert.Equal(PeerId.FromPublicKey(alice.PublicKey), accepted.RemotePeer);
        accepted.Abort(new IOException("done"));
    }

    [Fact]
    public async Task Outbound_WrongPeer_ThrowsPeerIdMismatch()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        using var carol = PrivateKey.Generate();
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new TlsSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [], default);
        var e = await Assert.ThrowsAsync<PeerIdMismatchException>(() => new TlsSecurity(alice).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), PeerId.FromPublicKey(carol.PublicKey), [], default).WaitAsync(Wait));
        Assert.Equal(PeerId.FromPublicKey(carol.PublicKey), e.Expected);
        Assert.Equal(PeerId.FromPublicKey(bob.PublicKey), e.Actual);

        // TLS 1.3: the server may finish before the client judged its certificate; then its
        // channel ends as the client drops the connection.
        left.Output.Complete();
        left.Input.Complete();
        try
        {
            var accepted = await inbound.WaitAsync(Wait);
            Assert.IsNotType<TimeoutException>(await Record.ExceptionAsync(() => accepted.Input.Completion.WaitAsync(Wait)));
            accepted.Abort(new IOException("done"));
        }
        catch (HandshakeException)
        {
        }
    }

    [Fact]
    public async Task Inbound_NoClientCertificate_IsRefused()
    {
        using var bob = PrivateKey.Generate();
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new TlsSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [Yamux], default);

        // TLS 1.3: the client finishes before the server has judged its (absent) certificate.
        var client = TlsTestKit.ClientAsync(left, certificate: null, Yamux, TlsSecurity.Alpn);
        var e = await Assert.ThrowsAsync<CertificateRejectedException>(() => inbound.WaitAsync(Wait));
        Assert.Equal(CertificateFailure.NoCertificate, e.Failure);
        await Record.ExceptionAsync(() => client);
    }

    public enum BadCertificate
    {
        MissingExtension,
        ForgedSignature,
        Expired,
    }

    [Theory]
    [InlineData(BadCertificate.MissingExtension, CertificateFailure.MissingExtension)]
    [InlineData(BadCertificate.ForgedSignature, CertificateFailure.InvalidKeySignature)]
    [InlineData(BadCertificate.Expired, CertificateFailure.Expired)]
    public async Task Inbound_BadClientCertificate_IsRefusedWithItsRule(BadCertificate kind, CertificateFailure failure)
    {
        using var bob = PrivateKey.Generate();
        using var certificate = Make(kind);
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new TlsSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [Yamux], default);
        var client = TlsTestKit.ClientAsync(left, certificate, Yamux, TlsSecurity.Alpn);
        var e = await Assert.ThrowsAsync<CertificateRejectedException>(() => inbound.WaitAsync(Wait));
        Assert.Equal(failure, e.Failure);
        await Record.ExceptionAsync(() => client);
    }

    [Theory]
    [InlineData(BadCertificate.MissingExtension, CertificateFailure.MissingExtension)]
    [InlineData(BadCertificate.ForgedSignature, CertificateFailure.InvalidKeySignature)]
    [InlineData(BadCertificate.Expired, CertificateFailure.Expired)]
    public async Task Outbound_BadServerCertificate_IsRefusedWithItsRule(BadCertificate kind, CertificateFailure failure)
    {
        using var alice = PrivateKey.Generate();
        using var certificate = Make(kind);
        var (left, right) = DuplexPipe.CreatePair();
        var server = TlsTestKit.ServerAsync(right, SslStreamCertificateContext.Create(certificate, null, offline: true), Yamux, TlsSecurity.Alpn);
        var e = await Assert.ThrowsAsync<CertificateRejectedException>(() => new TlsSecurity(alice).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), null, [Yamux], default).WaitAsync(Wait));
        Assert.Equal(failure, e.Failure);
        left.Output.Complete();
        await Record.ExceptionAsync(() => server);
    }

    [Fact]
    public async Task Outbound_ServerSendsTwoCertificates_IsRefused()
    {
        using var alice = PrivateKey.Generate();
        using var bob = PrivateKey.Generate();
        // root → intermediate → leaf: SslStream leaves the root out and sends the other two.
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = CaRequest("CN=root", rootKey).CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediateIssued = CaRequest("CN=intermediate", intermediateKey).Create(root, now.AddHours(-1), now.AddDays(1), [1, 1, 1]);
        using var intermediate = ECDsaCertificateExtensions.CopyWithPrivateKey(intermediateIssued, intermediateKey);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=leaf", leafKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(TlsTestKit.SignedKeyExtension(new SignedKey(bob.PublicKey.ToProtobuf(), bob.Sign(SignedKey.SignedData(leafKey.ExportSubjectPublicKeyInfo()))).Encode()));
        using var issued = leafRequest.Create(intermediate, now.AddHours(-1), now.AddDays(1), [7, 7, 7]);
        using var leaf = ECDsaCertificateExtensions.CopyWithPrivateKey(issued, leafKey);

        var (left, right) = DuplexPipe.CreatePair();
        var context = SslStreamCertificateContext.Create(leaf, [intermediate, root], offline: true);
        var server = TlsTestKit.ServerAsync(right, context, Yamux, TlsSecurity.Alpn);
        var e = await Assert.ThrowsAsync<CertificateRejectedException>(() => new TlsSecurity(alice).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), null, [Yamux], default).WaitAsync(Wait));
        Assert.True(e.Failure == CertificateFailure.TooManyCertificates, e.Message);
        left.Output.Complete();
        await Record.ExceptionAsync(() => server);
    }

    [Fact]
    public async Task Handshake_Timeout_UsesTheTimeProvider()
    {
        using var bob = PrivateKey.Generate();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (_, right) = DuplexPipe.CreatePair();
        var inbound = new TlsSecurity(bob, time, TimeSpan.FromSeconds(5)).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [], default);
        time.Advance(TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<HandshakeException>(() => inbound.WaitAsync(Wait));
        Assert.IsType<TimeoutException>(e.InnerException);
    }

    [Fact]
    public async Task Handshake_Canceled_ThrowsOperationCanceled()
    {
        using var bob = PrivateKey.Generate();
        using var cancel = new CancellationTokenSource();
        var (_, right) = DuplexPipe.CreatePair();
        var inbound = new TlsSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), [], cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inbound.WaitAsync(Wait));
    }

    [Fact]
    public async Task Handshake_OversizedInput_HitsTheByteBudget()
    {
        var (left, right) = DuplexPipe.CreatePair(new PipeOptions(pauseWriterThreshold: 0));
        var stream = new PipeStream(right, handshakeBudget: 1000);
        await left.Output.WriteAsync(new byte[1500]);
        var buffer = new byte[4096];
        Assert.Equal(1000, await stream.ReadAsync(buffer.AsMemory(0, 1000)));
        await Assert.ThrowsAsync<HandshakeException>(() => stream.ReadAsync(buffer).AsTask());

        stream.EndHandshake();
        Assert.Equal(500, await stream.ReadAsync(buffer));
    }

    private static X509CertificateHolder Make(BadCertificate kind)
    {
        var identity = PrivateKey.Generate();
        var forger = PrivateKey.Generate();
        var now = DateTimeOffset.UtcNow;
        var certificate = kind switch
        {
            BadCertificate.MissingExtension => TlsTestKit.Certificate(identity: null),
            BadCertificate.ForgedSignature => TlsTestKit.Certificate(identity, signer: forger),
            _ => TlsTestKit.Certificate(identity, notBefore: now.AddDays(-2), notAfter: now.AddDays(-1)),
        };
        return new X509CertificateHolder(certificate, identity, forger);
    }

    private static CertificateRequest CaRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request;
    }

    private static async Task<(ISecureChannel Outbound, ISecureChannel Inbound)> PairAsync(PrivateKey alice, PrivateKey bob, string[] aliceMuxers, string[] bobMuxers)
    {
        var (left, right) = DuplexPipe.CreatePair();
        var inbound = new TlsSecurity(bob).SecureInboundAsync(new RawConnection(right, null, TaskScheduler.Default), bobMuxers, default);
        var outbound = await new TlsSecurity(alice).SecureOutboundAsync(new RawConnection(left, null, TaskScheduler.Default), PeerId.FromPublicKey(bob.PublicKey), aliceMuxers, default).WaitAsync(Wait);
        return (outbound, await inbound.WaitAsync(Wait));
    }

    /// <summary>A test certificate and the keys behind it, disposed together.</summary>
    private sealed class X509CertificateHolder(X509Certificate2 certificate, PrivateKey identity, PrivateKey forger) : IDisposable
    {
        public X509Certificate2 Certificate { get; } = certificate;

        public static implicit operator X509Certificate2(X509CertificateHolder holder) => holder.Certificate;

        public void Dispose()
        {
            Certificate.Dispose();
            identity.Dispose();
            forger.Dispose();
        }
    }
}
