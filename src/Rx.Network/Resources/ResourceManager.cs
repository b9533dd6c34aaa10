using System.Net;
using Rx.Network.Identity;
using Rx.Network.Reactive;

namespace Rx.Network.Resources;

/// <summary>
/// The resource manager of one node (see <see cref="IResourceManager"/>): the system and transient
/// scopes, tables of the shared scopes (addresses, peers, protocols, protocols per peer) that live
/// while something holds them, the published cache of scopes, and the coalesced refusal reports.
/// Split by concern: <c>.Tables</c> (shared scopes), <c>.Publishing</c> (cache and refusals).
/// </summary>
/// <remarks>
/// Reservations never take the manager's lock: they move counters of scopes the caller already
/// holds (<see cref="ResourceScope"/>). The lock guards only the tables, taken when a connection
/// or stream starts or ends and when a stream's protocol is set.
/// </remarks>
internal sealed partial class ResourceManager : IResourceManager, IDisposable
{
    private readonly TimeProvider time;
    private long connectionCounter;
    private long streamCounter;

    /// <summary>Creates a manager.</summary>
    /// <param name="limits">The limits.</param>
    /// <param name="time">The clock for publishing and for coalescing refusal reports.</param>
    /// <param name="publishPeriodically">Whether a timer refreshes <see cref="Scopes"/>; off, only <see cref="Publish"/> does.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ResourceManager(ResourceLimits limits, TimeProvider time, bool publishPeriodically = true)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(time);
        Limits = limits;
        this.time = time;
        SystemScope = new ResourceScope("system", ScopeKind.System, limits.System);
        TransientScope = new ResourceScope("transient", ScopeKind.Transient, limits.Transient);
        lastWindowStart = time.GetTimestamp();
        Scopes = new RefreshingCache<string, ResourceScopeStatus>(cache, Publish);
        if (publishPeriodically)
        {
            timer = time.CreateTimer(static s => ((ResourceManager)s!).OnTick(), this, limits.PublishInterval, limits.PublishInterval);
        }

        PublishIfObserved();
    }

    /// <inheritdoc/>
    public ResourceLimits Limits { get; }

    /// <inheritdoc/>
    public ScopeUsage SystemUsage => SystemScope.Usage;

    /// <inheritdoc/>
    public IObservableCache<string, ResourceScopeStatus> Scopes { get; }

    internal ResourceScope SystemScope { get; }

    internal ResourceScope TransientScope { get; }

    /// <summary>Where refusals are reported (coalesced); set once by the network that owns the manager.</summary>
    internal Action<ResourceRefusal>? Refused { get; set; }

    /// <summary>
    /// Admits an inbound connection that is about to upgrade: one pending connection and
    /// <see cref="ConnectionScope.HandshakeMemory"/> in the transient scope, its address scopes
    /// (unless allowlisted) and the system. On refusal the caller closes the socket before any
    /// handshake byte.
    /// </summary>
    /// <param name="remote">The remote IP address; null for transports without one (the address scopes are skipped).</param>
    /// <param name="error">The refusal, naming the scope.</param>
    /// <returns>The connection's scope, or null when refused.</returns>
    public ConnectionScope? TryOpenInbound(IPAddress? remote, out ResourceLimitExceededException? error)
    {
        var addresses = remote is null || Limits.Allowlist.Contains(remote) ? [] : AcquireAddresses(remote);
        var self = NewConnectionScope();
        ResourceScope[] pending = [self, TransientScope, .. addresses, SystemScope];
        Resource refused = Resource.PendingConnections;
        long requested = 1;
        if (ResourceScope.TryReserve(pending, Resource.PendingConnections, 1, out var refusedBy))
        {
            if (ResourceScope.TryReserve(pending, Resource.Memory, ConnectionScope.HandshakeMemory, out refusedBy))
            {
                ResourceMetrics.MemoryChanged(ConnectionScope.HandshakeMemory);
                error = null;
                return new ConnectionScope(this, self, addresses, remote, pending);
            }

            ResourceScope.Release(pending, Resource.PendingConnections, 1);
            (refused, requested) = (Resource.Memory, ConnectionScope.HandshakeMemory);
        }

        ReleaseShared(addresses);
        RetireConnection(self);
        error = refusedBy!.Refusal(refused, requested);
        Report(error, null, remote, null);
        return null;
    }

    /// <summary>
    /// Admits an outbound connection to <paramref name="peer"/> before it is dialed: one outbound
    /// connection in its scope, the peer's (unless allowlisted) and the system.
    /// </summary>
    /// <param name="peer">The peer dialed.</param>
    /// <param name="error">The refusal, naming the scope.</param>
    /// <returns>The connection's scope, or null when refused.</returns>
    public ConnectionScope? TryOpenOutbound(PeerId peer, out ResourceLimitExceededException? error)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var peerScope = Limits.Allowlist.Contains(peer) ? null : AcquirePeer(peer);
        var self = NewConnectionScope();
        ResourceScope[] chain = peerScope is null ? [self, SystemScope] : [self, peerScope, SystemScope];
        if (!ResourceScope.TryReserve(chain, Resource.OutboundConnections, 1, out var refusedBy))
        {
            if (peerScope is not null)
            {
                ReleaseShared([peerScope]);
            }

            RetireConnection(self);
            error = refusedBy!.Refusal(Resource.OutboundConnections, 1);
            Report(error, peer, null, null);
            return null;
        }

        error = null;
        return new ConnectionScope(this, self, peer, peerScope, chain);
    }

    /// <summary>Reports a refusal: counted on the meter, and passed on to <see cref="Refused"/> coalesced.</summary>
    internal void Report(ResourceLimitExceededException error, PeerId? peer, IPAddress? address, string? protocol)
    {
        ResourceMetrics.Refused(error.Kind, error.Resource);
        Coalesce(error, peer, address, protocol);
    }

    internal ResourceScope NewStreamScope() => ResourceScope.Numbered(ScopeKind.Stream, Interlocked.Increment(ref streamCounter), Limits.Stream);

    private ResourceScope NewConnectionScope()
    {
        var scope = ResourceScope.Numbered(ScopeKind.Connection, Interlocked.Increment(ref connectionCounter), Limits.Connection);
        lock (gate)
        {
            connections.Add(scope);
        }

        return scope;
    }
}
