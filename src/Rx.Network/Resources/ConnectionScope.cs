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
    // Locks on itself (internal, never handed out) rather than a Lock of its own: a node may hold
    // hundreds of thousands of connection scopes, and a Lock is 40 bytes and an object to mark.
    private IPAddress? address;
    private ResourceScope[] addresses;
    private TransportMemory? transport;
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

    /// <summary>The connection's transport buffers, once attached.</summary>
    public TransportMemory? Transport => transport;

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
        lock (this)
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
        lock (this)
        {
            if (disposed)
            {
                // The connection is ending: its muxer refuses streams itself.
                error = null;
                return null;
            }

            chain = [manager.NewStreamScope(), manager.TransientScope, .. Chain];
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

    /// <summary>
    /// An outbound connection reached <paramref name="remote"/>: counts it as an outbound connection
    /// in that address's scopes (unless the address or the peer is allowlisted), whose memory and
    /// streams its streams and transport buffers then count in too, as an inbound connection's do.
    /// Call once, before the upgrade.
    /// </summary>
    /// <param name="remote">The remote IP address; null (a transport without one) counts nothing.</param>
    /// <param name="error">The refusal, naming the scope.</param>
    /// <returns>Whether it was admitted; if not, the caller closes the connection and disposes the scope.</returns>
    public bool TrySetRemoteAddress(IPAddress? remote, out ResourceLimitExceededException? error)
    {
        error = null;
        if (remote is null || IsInbound || manager.Limits.Allowlist.Contains(remote) || (Peer is not null && peerScope is null))
        {
            return true;
        }

        var acquired = manager.AcquireAddresses(remote);
        lock (this)
        {
            if (disposed || address is not null)
            {
                throw new InvalidOperationException("The remote address of an outbound connection is set once, while it is open.");
            }

            if (ResourceScope.TryReserve(acquired, Resource.OutboundConnections, 1, out var refusedBy))
            {
                addresses = acquired;
                address = remote;
                Chain = [.. Chain[..^1], .. acquired, manager.SystemScope];
                held = Chain;
                return true;
            }

            error = refusedBy!.Refusal(Resource.OutboundConnections, 1);
        }

        manager.ReleaseShared(acquired);
        manager.Report(error, Peer, remote, null);
        return false;
    }

    /// <summary>
    /// Attaches the raw connection's transport buffers: from now on they reserve what they hold
    /// beyond their floors in this connection's chain (once established), and give it all back
    /// when the connection's scope ends. Null (a transport that does not count) is ignored.
    /// </summary>
    public void AttachTransport(TransportMemory? memory)
    {
        if (memory is null)
        {
            return;
        }

        bool ended;
        lock (this)
        {
            if (transport is not null)
            {
                throw new InvalidOperationException("The connection's transport buffers are attached once.");
            }

            transport = memory;
            ended = disposed;
        }

        memory.Receive.Attach(this);
        memory.Send.Attach(this);
        if (ended)
        {
            memory.Receive.Close();
            memory.Send.Close();
        }
    }

    /// <summary>
    /// Reserves <paramref name="amount"/> bytes of transport buffers in the connection's chain
    /// (connection, peer, addresses, system). An upgrading or ended connection does not grow its
    /// buffers beyond their floors (null, no error).
    /// </summary>
    /// <returns>The chain reserved in (release from the same), or null.</returns>
    internal ResourceScope[]? TryReserveTransport(long amount, out ResourceLimitExceededException? error)
    {
        error = null;
        ResourceScope[] chain;
        lock (this)
        {
            if (disposed || IsPending)
            {
                return null;
            }

            chain = Chain;
        }

        if (ResourceScope.TryReserve(chain, Resource.Memory, amount, out var refusedBy))
        {
            ResourceMetrics.MemoryChanged(amount);
            return chain;
        }

        error = refusedBy!.Refusal(Resource.Memory, amount);
        return null;
    }

    /// <summary>Gives back transport memory reserved with <see cref="TryReserveTransport"/>.</summary>
    internal static void ReleaseTransport(ResourceScope[] chain, long amount)
    {
        ResourceScope.Release(chain, Resource.Memory, amount);
        ResourceMetrics.MemoryChanged(-amount);
    }

    /// <summary>Reports a refused transport reservation (coalesced like every refusal).</summary>
    internal void ReportTransportRefusal(ResourceLimitExceededException error) => manager.Report(error, Peer, address, null);

    /// <summary>Gives back the connection's own count; its shared scopes follow once its streams ended too.</summary>
    public void Dispose()
    {
        lock (this)
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

        // Before the shared scopes can go: the buffers release into the chain they reserved in.
        transport?.Receive.Close();
        transport?.Send.Close();
        ReleaseIfDone();
    }

    /// <summary>A stream of this connection let go of everything it held.</summary>
    internal void StreamEnded()
    {
        lock (this)
        {
            liveStreams--;
        }

        ReleaseIfDone();
    }

    private void ReleaseIfDone()
    {
        ResourceScope[] shared;
        lock (this)
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
