using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Rx.Network.Errors;
using Rx.Network.Identity;
using Rx.Network.Transports;
using PublicKey = Rx.Network.Identity.PublicKey;

namespace Rx.Network.Security.Tls;

/// <summary>
/// <c>/tls/1.0.0</c>: libp2p's TLS 1.3 handshake on <see cref="SslStream"/>, with mutual
/// authentication through self-signed certificates carrying the libp2p public key extension,
/// ALPN <c>libp2p</c> and the muxer chosen in ALPN (inlined muxer negotiation); the secured bytes
/// then run through the same <see cref="SecureChannel"/> pipeline as Noise (docs/adr/0008-tls.md).
/// </summary>
/// <remarks>
/// Spec: <see href="https://github.com/libp2p/specs/blob/master/tls/tls.md"/> and
/// <see href="https://github.com/libp2p/specs/blob/master/connections/inlined-muxer-negotiation.md#multiplexer-negotiation-over-tls"/>.
/// A certificate that breaks a rule throws <see cref="CertificateRejectedException"/>; a dialed
/// peer that proves another identity throws <see cref="PeerIdMismatchException"/>; anything else
/// that ends the handshake throws <see cref="HandshakeException"/>.
/// </remarks>
internal sealed class TlsSecurity : ISecurityProtocol
{
    /// <summary>The protocol id.</summary>
    public const string Id = "/tls/1.0.0";

    /// <summary>The ALPN id of libp2p over TLS, always offered last.</summary>
    public const string Alpn = "libp2p";

    /// <summary>
    /// The most bytes we read from the remote during the handshake: its hello, certificate and
    /// finished messages. A libp2p certificate is well under 2 KB (an 8192-bit RSA host key, the
    /// largest accepted, adds about 2 KB more); 64 KiB leaves room for any honest peer and keeps a
    /// stranger from making us buffer or parse more.
    /// </summary>
    public const int HandshakeByteBudget = 64 * 1024;

    /// <summary>
    /// The TLS 1.3 cipher suites we offer, in our order of preference: all three of RFC 8446 (so
    /// every peer finds one), AES-128-GCM first. OpenSSL's own order puts AES-256-GCM first; with
    /// AES-NI, AES-128-GCM encrypts the same bytes in fewer AES rounds and is the suite RFC 8446
    /// §9.1 makes mandatory (go's crypto/tls prefers it too). Null where SslStream cannot take a
    /// policy (Windows): there the platform's order applies.
    /// </summary>
    internal static readonly CipherSuitesPolicy? CipherSuites = OperatingSystem.IsWindows() ? null : new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    ]);

    private readonly LocalCertificate certificate;
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan handshakeTimeout;
    private readonly SecureChannelOptions channelOptions;
    private readonly PeerId localPeer;

    /// <param name="identity">Our identity key, which signs the certificate's key once; the caller keeps ownership.</param>
    /// <param name="timeProvider">The clock for certificate validity and the handshake timeout.</param>
    /// <param name="handshakeTimeout">How long the handshake may take; <see cref="Timeout.InfiniteTimeSpan"/> for no limit of its own.</param>
    /// <param name="channelOptions">Buffer bounds of the resulting channel.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="handshakeTimeout"/> is neither positive nor infinite.</exception>
    public TlsSecurity(PrivateKey identity, TimeProvider? timeProvider = null, TimeSpan? handshakeTimeout = null, SecureChannelOptions? channelOptions = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.handshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(10);
        if (this.handshakeTimeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(this.handshakeTimeout, TimeSpan.Zero, nameof(handshakeTimeout));
        }

        this.channelOptions = channelOptions ?? SecureChannelOptions.Default;
        localPeer = PeerId.FromPublicKey(identity.PublicKey);
        certificate = LocalCertificate.Create(identity, this.timeProvider.GetUtcNow());
    }

    /// <inheritdoc/>
    public string ProtocolId => Id;

    /// <inheritdoc/>
    public Task<ISecureChannel> SecureOutboundAsync(RawConnection connection, PeerId? expectedRemote, IReadOnlyList<string> muxers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(muxers);
        var check = new RemoteCheck(timeProvider, expectedRemote);
        var options = new SslClientAuthenticationOptions
        {
            // No SNI: tls.md reserves it for future versions of the handshake.
            TargetHost = string.Empty,
            EnabledSslProtocols = SslProtocols.Tls13,
            ClientCertificateContext = certificate.Context,
            ApplicationProtocols = AlpnList(muxers),
            RemoteCertificateValidationCallback = check.Validate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = ChainPolicy(),
            CipherSuitesPolicy = CipherSuites,

            // A resumed session skips the certificates, and with them the peer's proof of identity.
            AllowTlsResume = false,
        };
        return HandshakeAsync(connection, check, muxers, (ssl, token) => ssl.AuthenticateAsClientAsync(options, token), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ISecureChannel> SecureInboundAsync(RawConnection connection, IReadOnlyList<string> muxers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(muxers);
        var check = new RemoteCheck(timeProvider, expected: null);
        var options = new SslServerAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls13,
            ServerCertificateContext = certificate.Context,
            ClientCertificateRequired = true,
            ApplicationProtocols = AlpnList(muxers),
            RemoteCertificateValidationCallback = check.Validate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = ChainPolicy(),
            CipherSuitesPolicy = CipherSuites,
            AllowTlsResume = false,
        };
        return HandshakeAsync(connection, check, muxers, (ssl, token) => ssl.AuthenticateAsServerAsync(options, token), cancellationToken);
    }

    /// <summary>
    /// The policy of the chain SslStream builds before our callback sees the certificate. Its verdict
    /// is ignored, so it only has to be cheap and harmless: no trust store lookups, no revocation
    /// checks, and above all no downloads (a stranger's certificate could name any URL in its
    /// authority information access extension).
    /// </summary>
    private static X509ChainPolicy ChainPolicy() => new()
    {
        DisableCertificateDownloads = true,
        RevocationMode = X509RevocationMode.NoCheck,
        TrustMode = X509ChainTrustMode.CustomRootTrust,
    };

    /// <summary>Our muxers in our order of preference, then <c>libp2p</c>, as ALPN ids.</summary>
    private static List<SslApplicationProtocol> AlpnList(IReadOnlyList<string> muxers) =>
        [.. muxers.Select(m => new SslApplicationProtocol(m)), new SslApplicationProtocol(Alpn)];

    private async Task<ISecureChannel> HandshakeAsync(
        RawConnection connection,
        RemoteCheck check,
        IReadOnlyList<string> muxers,
        Func<SslStream, CancellationToken, Task> authenticate,
        CancellationToken cancellationToken)
    {
        var transport = new PipeStream(connection.Pipe, HandshakeByteBudget);
        var ssl = new SslStream(transport, leaveInnerStreamOpen: true);
        using var timeoutSource = handshakeTimeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(handshakeTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource?.Token ?? CancellationToken.None);
        try
        {
            try
            {
                await authenticate(ssl, linked.Token).ConfigureAwait(false);
            }
            catch (Exception) when (check.Failure is not null)
            {
                // The validation callback refused the certificate: its typed reason, not SslStream's.
                throw check.Failure;
            }

            transport.EndHandshake();
            var remoteKey = check.RemoteKey ?? throw Error.Certificate(CertificateFailure.NoCertificate, "The TLS handshake completed without the remote's certificate.");
            string negotiated = ssl.NegotiatedApplicationProtocol.ToString();
            string? earlyMuxer = muxers.Contains(negotiated) ? negotiated : null;
            var session = new SecureSession(localPeer, PeerId.FromPublicKey(remoteKey), remoteKey, Id, earlyMuxer);
            var records = new TlsRecordStream(ssl, transport, connection.Pipe.Output, (connection.Pipe as IAccountedPipe)?.Memory);
            return new SecureChannel(records, session, connection.Tasks, channelOptions, new Owner(ssl, connection.Owner));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && timeoutSource?.IsCancellationRequested == true)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw Error.Handshake($"The TLS handshake did not complete within {handshakeTimeout}.", new TimeoutException(e.Message, e));
        }
        catch (AuthenticationException e)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw Error.Handshake($"The TLS handshake failed: {e.Message}", e);
        }
        catch (IOException e) when (e is not HandshakeException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw Error.Handshake($"The connection failed during the TLS handshake: {e.Message}", e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The certificate check of one handshake: SslStream calls <see cref="Validate"/> with the
    /// remote's certificate; a refusal is kept so the handshake can throw its typed reason.
    /// </summary>
    private sealed class RemoteCheck(TimeProvider timeProvider, PeerId? expected)
    {
        public PublicKey? RemoteKey { get; private set; }

        public HandshakeException? Failure { get; private set; }

        public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            // The chain errors SslStream reports (self-signed, unknown CA, name mismatch) are
            // expected: libp2p TLS has no CA and no names. Our own rules replace them.
            try
            {
                var leaf = certificate as X509Certificate2;
                var key = CertificateVerifier.Verify(leaf, CountSent(leaf, chain), timeProvider.GetUtcNow());
                var peer = PeerId.FromPublicKey(key);
                if (expected is not null && expected != peer)
                {
                    Failure = AddressedError.PeerIdMismatch(expected, peer);
                    return false;
                }

                RemoteKey = key;
                return true;
            }
            catch (CertificateRejectedException e)
            {
                Failure = e;
                return false;
            }
        }
    }

    /// <summary>
    /// How many certificates the remote sent: SslStream puts what it received besides the leaf
    /// (and, depending on the side, the leaf itself) into the chain's extra store.
    /// </summary>
    private static int CountSent(X509Certificate2? leaf, X509Chain? chain)
    {
        if (leaf is null)
        {
            return 0;
        }

        int count = 1;
        foreach (var other in chain?.ChainPolicy.ExtraStore ?? [])
        {
            if (!other.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Disposes the SslStream, then the raw connection, once the channel has ended.</summary>
    private sealed class Owner(SslStream ssl, IAsyncDisposable? raw) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (raw is not null)
            {
                await raw.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
