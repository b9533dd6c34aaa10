using Rx.Network.Identity;
using Rx.Network.Muxing;
using Rx.Network.Negotiation;
using Rx.Network.Reactive;
using Rx.Network.Resources;
using Rx.Network.Security;
using Rx.Network.Transports;

namespace Rx.Network.Swarm;

/// <summary>
/// Turns a raw transport connection into a secured, multiplexed one: multistream-select of the
/// security protocol, its handshake, then the muxer — agreed inside the handshake when both sides
/// support it (Noise's <c>stream_muxers</c>), else by multistream-select over the secured channel.
/// </summary>
/// <remarks>
/// The whole upgrade runs under one deadline (<see cref="UpgradeOptions.Timeout"/>, on the
/// injected <see cref="TimeProvider"/>); a peer that stalls anywhere in it is dropped with a
/// <see cref="HandshakeException"/> wrapping a <see cref="TimeoutException"/>. Whatever fails, the
/// raw connection is disposed before the exception leaves.
/// </remarks>
internal sealed class Upgrader
{
    private readonly IReadOnlyList<ISecurityProtocol> security;
    private readonly IReadOnlyList<IMuxerFactory> muxers;
    private readonly string[] securityIds;
    private readonly string[] muxerIds;
    private readonly UpgradeOptions options;
    private readonly TimeProvider time;
    private readonly NetworkScheduler scheduler;

    /// <summary>Creates the upgrader of one network.</summary>
    /// <param name="security">The security protocols offered, in preference order.</param>
    /// <param name="muxers">The muxers offered, in preference order.</param>
    /// <param name="options">The deadline and negotiation limits.</param>
    /// <param name="time">The network's clock (the deadline).</param>
    /// <param name="scheduler">The network's scheduler: where the secured channel's stages and the upgrade's continuations run.</param>
    public Upgrader(IReadOnlyList<ISecurityProtocol> security, IReadOnlyList<IMuxerFactory> muxers, UpgradeOptions options, TimeProvider time, NetworkScheduler scheduler)
    {
        ArgumentOutOfRangeException.ThrowIfZero(security.Count);
        ArgumentOutOfRangeException.ThrowIfZero(muxers.Count);
        this.security = security;
        this.muxers = muxers;
        securityIds = security.Select(s => s.ProtocolId).ToArray();
        muxerIds = muxers.Select(m => m.Protocol).ToArray();
        this.options = options;
        this.time = time;
        this.scheduler = scheduler;
    }

    /// <summary>Upgrades a connection we dialed.</summary>
    /// <param name="raw">The connection.</param>
    /// <param name="expectedRemote">The peer dialed.</param>
    /// <param name="resources">The connection's resource scope (given to the muxer, disposed when the session ends or the upgrade fails); null reserves nothing.</param>
    /// <param name="cancellationToken">Cancels the upgrade.</param>
    /// <exception cref="HandshakeException">Negotiation or the handshake failed or timed out.</exception>
    /// <exception cref="PeerIdMismatchException">The remote is not <paramref name="expectedRemote"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task<UpgradedConnection> UpgradeOutboundAsync(IRawConnection raw, PeerId? expectedRemote, ConnectionScope? resources, CancellationToken cancellationToken) =>
        UpgradeTracedAsync(raw, isInitiator: true, expectedRemote, resources, cancellationToken);

    /// <summary>Upgrades a connection we accepted.</summary>
    /// <param name="raw">The connection.</param>
    /// <param name="resources">The connection's resource scope, pending: moved to the proven peer after the security handshake; null reserves nothing.</param>
    /// <param name="cancellationToken">Cancels the upgrade.</param>
    /// <exception cref="HandshakeException">Negotiation or the handshake failed or timed out.</exception>
    /// <exception cref="ResourceLimitExceededException">The proven peer's scopes cannot take another connection (the connection was closed).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task<UpgradedConnection> UpgradeInboundAsync(IRawConnection raw, ConnectionScope? resources, CancellationToken cancellationToken) =>
        UpgradeTracedAsync(raw, isInitiator: false, null, resources, cancellationToken);

    /// <summary><see cref="UpgradeAsync"/>, inside an <c>rxnet.upgrade</c> span when traced (<see cref="NetworkTracing"/>).</summary>
    private Task<UpgradedConnection> UpgradeTracedAsync(IRawConnection raw, bool isInitiator, PeerId? expectedRemote, ConnectionScope? resources, CancellationToken cancellationToken)
    {
        return NetworkTracing.IsEnabled ? TracedAsync() : UpgradeAsync(raw, isInitiator, expectedRemote, resources, cancellationToken);

        async Task<UpgradedConnection> TracedAsync()
        {
            using var activity = NetworkTracing.StartUpgrade(isInitiator ? Direction.Outbound : Direction.Inbound, expectedRemote);
            try
            {
                var upgraded = await UpgradeAsync(raw, isInitiator, expectedRemote, resources, cancellationToken).ConfigureAwait(false);
                NetworkTracing.Upgraded(activity, upgraded);
                return upgraded;
            }
            catch (Exception e)
            {
                NetworkTracing.Failed(activity, e);
                throw;
            }
        }
    }

    private async Task<UpgradedConnection> UpgradeAsync(IRawConnection raw, bool isInitiator, PeerId? expectedRemote, ConnectionScope? resources, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = linked.Token;
        ISecureChannel? channel = null;
        try
        {
            var protocol = isInitiator
                ? await MultistreamSelect.SelectAsync(raw.Pipe, securityIds, options.Multistream, token).ConfigureAwait(false)
                : await MultistreamSelect.HandleAsync(raw.Pipe, securityIds, options.Multistream, token).ConfigureAwait(false);
            var securityProtocol = security.First(s => s.ProtocolId == protocol);
            var rawForSecurity = new RawConnection(raw.Pipe, raw, scheduler.Tasks);
            channel = isInitiator
                ? await securityProtocol.SecureOutboundAsync(rawForSecurity, expectedRemote, muxerIds, token).ConfigureAwait(false)
                : await securityProtocol.SecureInboundAsync(rawForSecurity, muxerIds, token).ConfigureAwait(false);

            // The peer is proven: an inbound connection leaves the pending scopes for the peer's,
            // before the muxer exists (so every stream counts in the peer's scope).
            if (resources is { IsPending: true } && !resources.TrySetPeer(channel.RemotePeer, out var refusal))
            {
                throw refusal!;
            }

            IDuplexChannel muxerChannel = channel;
            string? muxerId = channel.EarlyMuxer;
            if (muxerId is null)
            {
                var negotiation = new ChannelBytes(channel);
                var stream = new DuplexStream(negotiation);
                muxerId = isInitiator
                    ? await MultistreamSelect.SelectAsync(stream, muxerIds, options.Multistream, token).ConfigureAwait(false)
                    : await MultistreamSelect.HandleAsync(stream, muxerIds, options.Multistream, token).ConfigureAwait(false);
                muxerChannel = negotiation.Detach();
            }

            var factory = muxers.FirstOrDefault(m => m.Protocol == muxerId)
                ?? throw new HandshakeException($"The remote agreed on muxer '{muxerId}', which we did not offer.");
            var session = factory.Create(muxerChannel, isInitiator, resources);
            if (resources is not null)
            {
                // Whatever ends the session (close, error, a limit after the upgrade), the
                // connection's own count goes back with it; its streams release their own.
                _ = session.Completion.ContinueWith(
                    static (_, scope) => ((ConnectionScope)scope!).Dispose(),
                    resources,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    scheduler.Tasks);
            }

            return new UpgradedConnection(raw, channel, session, isInitiator);
        }
        catch (Exception e)
        {
            var failure = Classify(e, deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested);
            resources?.Dispose();
            channel?.Abort(failure);
            raw.Abort();
            await raw.DisposeAsync().ConfigureAwait(false);
            if (ReferenceEquals(failure, e))
            {
                throw;
            }

            throw failure;
        }
    }

    private Exception Classify(Exception e, bool timedOut) => e switch
    {
        _ when timedOut => new HandshakeException(
            $"The connection upgrade did not finish within {options.Timeout.TotalSeconds:0.###} s.",
            new TimeoutException("The upgrade deadline passed.", e)),
        OperationCanceledException => e,
        HandshakeException => e,
        ResourceLimitExceededException => e,
        NegotiationException ne => new HandshakeException($"Connection upgrade negotiation failed: {ne.Message}", ne),
        FormatException or IOException => new HandshakeException($"The connection upgrade failed: {e.Message}", e),
        _ => e,
    };
}
