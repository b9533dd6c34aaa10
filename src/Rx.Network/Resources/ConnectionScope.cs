using System.Net;
using Rx.Network.Identity;

namespace Rx.Network.Resources;

/// <summary>
/// A connection's place in the resource manager, from its accept (or dial) to its end: the scopes
/// its reservations pass through, and the streams opened on it (<see cref="TryOpenStream"/>).
/// </summary>
/// <remarks>
/// An inbound connection starts pending (transient, address, system); <see cref="TrySetPeer"/>,
/// once the security handshake proved the peer and before the muxer starts, moves it to an
/// established connection of that peer. <see cref="Dispose"/> gives back what the connection holds
/// itself; the shared scopes it counts in are let go once its last stream ended too, so a stream
/// that outlives its connection's close still releases into scopes that are alive.
/// </remarks>
internal sealed class ConnectionScope : IDisposable
{
    /// <summary>
    /// Memory an inbound connection reserves while it upgrades: its handshake buffers (a Noise
    /// message is at most 64 KiB; multistream-select messages 1 KiB), given back once the peer is
    /// proven or the upgrade fails.
    /// </summary>
    public const long HandshakeMemory = 64 * 1024;

    private readonly ResourceManager manager;
    private readonly Lock gate = new();
    private readonly IPAddress? address;
    private ResourceScope[] addresses;
    private ResourceScope? peerScope;

    // The scopes of the connection's own count: pending ones while upgrading, then established ones.
    private ResourceScope[] held;
    private Resource heldResource;
    private int liveStreams;
    private bool disposed;
    private bool released;

    /// <summary>An inbound connection, pending.</summary>
    internal ConnectionScope(ResourceManager manager, ResourceScope self, ResourceScope[] addresses, IPAddress? address, ResourceScope[] pending)
    {
        this.manager = manager;
        Self = self;
        this.addresses = addresses;
        this.address = address;
        held = pending;
        heldResource = Resource.PendingConnections;
        Chain = [self, .. addresses, manager.SystemScope];
        IsInbound = true;
    }

    /// <summary>An outbound connection, established.</summary>
    internal ConnectionScope(ResourceManager manager, ResourceScope self, PeerId peer, ResourceScope? peerScope, ResourceScope[] chain)
    {
        this.manager = manager;
        Self = self;
        addresses = [];
        Peer = peer;
        this.peerScope = peerScope;
        held = chain;
        heldResource = Resource.OutboundConnections;
        Chain = chain;
        IsPending = false;
    }

    /// <summary>The connection's own scope.</summary>
    public ResourceScope Self { get; }

    /// <summary>The manager.</summary>
    public ResourceManager Manager => manager;

    /// <summary>Whether the remote opened the connection.</summary>
    public bool IsInbound { get; }

    /// <summary>Whether the connection is still upgrading (inbound, peer not proven yet).</summary>
    public bool IsPending { get; private set; } = true;

    /// <summary>The remote peer, once known.</summary>
    public PeerId? Peer { get; private set; }

    /// <summary>The remote IP address, when known.</summary>
    public IPAddress? Address => address;

    /// <summary>The scopes a stream of this connection counts in after its own and its protocol's: connection, peer, addresses, system.</summary>
    internal ResourceScope[] Chain { get; private set; }

    /// <summary>
    /// The security handshake proved the remote <paramref name="peer"/>: moves the connection from
    /// pending to an established inbound connection of that peer (leaving the address scopes when
    /// the peer is allowlisted). Call before the muxer starts.
    /// </summary>
    /// <param name="peer">The proven peer.</param>
    /// <param name="error">The refusal, naming the scope.</param>
    /// <returns>Whether it was admitted; if not, the caller closes the connection and disposes the scope.</returns>
    public bool TrySetPeer(PeerId peer, out ResourceLimitExceededException? error)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ResourceScope[] drop = [];
        lock (gate)
        {
            if (disposed || !IsPending)
            {
                throw new InvalidOperationException("The connection's peer is set once, while it is pending.");
            }

            bool allowlisted = manager.Limits.Allowlist.Contains(peer);
            var newPeerScope = allowlisted ? null : manager.AcquirePeer(peer);
            var newAddresses = allowlisted ? [] : addresses;
            ResourceScope[] chain = newPeerScope is null
                ? [Self, .. newAddresses, manager.SystemScope]
                : [Self, newPeerScope, .. newAddresses, manager.SystemScope];
            if (!ResourceScope.TryReserve(chain, Resource.InboundConnections, 1, out var refusedBy))
            {
                if (newPeerScope is not null)
                {
                    manager.ReleaseShared([newPeerScope]);
                }

                error = refusedBy!.Refusal(Resource.InboundConnections, 1);
                manager.Report(error, peer, address, null);
                return false;
            }

            ResourceScope.Release(held, Resource.PendingConnections, 1);
            ResourceScope.Release(held, Resource.Memory, HandshakeMemory);
            ResourceMetrics.MemoryChanged(-HandshakeMemory);
            held = chain;
            heldResource = Resource.InboundConnections;
            if (allowlisted)
            {
                drop = addresses;
                addresses = [];
            }

            peerScope = newPeerScope;
            Peer = peer;
            Chain = chain;
            IsPending = false;
        }

        if (drop.Length > 0)
        {
            manager.ReleaseShared(drop);
        }

        error = null;
        return true;
    }

    /// <summary>
    /// Admits a stream: one stream of its direction and <paramref name="memory"/> bytes (its initial
    /// receive window) in the stream's scope, the transient scope (until its protocol is set) and
    /// this connection's chain. Never throws for a refusal: the caller resets an inbound stream or
    /// fails a local open with <paramref name="error"/>.
    /// </summary>
    /// <param name="inbound">Whether the remote opened it.</param>
    /// <param name="memory">Bytes to reserve at once.</param>
    /// <param name="error">The refusal, naming the scope.</param>
    /// <returns>The stream's scope, or null when refused.</returns>
    public StreamScope? TryOpenStream(bool inbound, long memory, out ResourceLimitExceededException? error)
    {
        ResourceScope[] chain;
        lock (gate)
        {
            if (disposed)
            {
                // The connection is ending: its muxer refuses streams itself.
                error = null;
                return null;
            }

            chain = [new ResourceScope(manager.NextStreamName(), ScopeKind.Stream, manager.Limits.Stream), manager.TransientScope, .. Chain];
            liveStreams++;
        }

        var count = inbound ? Resource.InboundStreams : Resource.OutboundStreams;
        ResourceScope? refusedBy;
        Resource refused = count;
        long requested = 1;
        if (ResourceScope.TryReserve(chain, count, 1, out refusedBy))
        {
            if (ResourceScope.TryReserve(chain, Resource.Memory, memory, out refusedBy))
            {
                ResourceMetrics.MemoryChanged(memory);
                error = null;
                return new StreamScope(this, chain, inbound, memory);
            }

            ResourceScope.Release(chain, count, 1);
            (refused, requested) = (Resource.Memory, memory);
        }

        error = refusedBy!.Refusal(refused, requested);
        manager.Report(error, Peer, address, null);
        StreamEnded();
        return null;
    }

    /// <summary>Gives back the connection's own count; its shared scopes follow once its streams ended too.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            ResourceScope.Release(held, heldResource, 1);
            if (heldResource == Resource.PendingConnections)
            {
                ResourceScope.Release(held, Resource.Memory, HandshakeMemory);
                ResourceMetrics.MemoryChanged(-HandshakeMemory);
            }
        }

        ReleaseIfDone();
    }

    /// <summary>A stream of this connection let go of everything it held.</summary>
    internal void StreamEnded()
    {
        lock (gate)
        {
            liveStreams--;
        }

        ReleaseIfDone();
    }

    private void ReleaseIfDone()
    {
        ResourceScope[] shared;
        lock (gate)
        {
            if (!disposed || liveStreams > 0 || released)
            {
                return;
            }

            released = true;
            shared = peerScope is null ? addresses : [peerScope, .. addresses];
        }

        manager.ReleaseShared(shared);
        manager.RetireConnection(Self);
    }
}
