namespace Rx.Network.Resources;

/// <summary>
/// A stream's reservations: its count and the memory of its receive window, in the scopes of its
/// chain — stream, then transient until <see cref="TrySetProtocol"/> moves it to its protocol and
/// protocol-per-peer scopes, then its connection's chain.
/// </summary>
/// <remarks>
/// <para>Every operation takes the stream's own lock (uncontended but for the moment its protocol is
/// set while its window grows), never the manager's except to hold the protocol scopes. None
/// throws for a refusal: the window is not grown, the stream is reset, or the open fails — the
/// caller decides.</para>
/// <para>Memory is given back in two steps when a stream ends with bytes still unread
/// (<see cref="Complete"/> keeps those reserved until <see cref="Release"/> or <see cref="Dispose"/>),
/// so what the manager shows is what the stream's buffers really hold.</para>
/// </remarks>
internal sealed class StreamScope : IDisposable
{
    private readonly ConnectionScope connection;
    // Locks on itself (internal, never handed out), as ConnectionScope: a Lock per stream is 40
    // bytes and an object more for every stream a node opens.
    private readonly Resource count;
    private ResourceScope[] chain;
    private ResourceScope? protocolScope;
    private ResourceScope? protocolPeerScope;
    private long memory;
    private bool counted = true;
    private bool disposed;

    internal StreamScope(ConnectionScope connection, ResourceScope[] chain, bool inbound, long memory)
    {
        this.connection = connection;
        this.chain = chain;
        count = inbound ? Resource.InboundStreams : Resource.OutboundStreams;
        this.memory = memory;
    }

    /// <summary>The stream's own scope.</summary>
    public ResourceScope Self => chain[0];

    /// <summary>Bytes reserved now.</summary>
    public long Memory
    {
        get
        {
            lock (this)
            {
                return memory;
            }
        }
    }

    /// <summary>The protocol, once set.</summary>
    public string? Protocol { get; private set; }

    /// <summary>
    /// Reserves <paramref name="amount"/> more bytes (a window about to grow). A refusal is reported
    /// and returns false: the window stays as it is.
    /// </summary>
    public bool TryReserveMemory(long amount) => TryReserveMemory(amount, out _);

    /// <summary>As <see cref="TryReserveMemory(long)"/>, with the refusal (null when the stream had ended).</summary>
    public bool TryReserveMemory(long amount, out ResourceLimitExceededException? error)
    {
        error = null;
        lock (this)
        {
            if (disposed || !counted)
            {
                return false;
            }

            if (amount <= 0)
            {
                return true;
            }

            if (ResourceScope.TryReserve(chain, Resource.Memory, amount, out var refusedBy))
            {
                memory += amount;
                ResourceMetrics.MemoryChanged(amount);
                return true;
            }

            error = refusedBy!.Refusal(Resource.Memory, amount);
        }

        connection.Manager.Report(error, connection.Peer, connection.Address, Protocol);
        return false;
    }

    /// <summary>Gives back <paramref name="amount"/> bytes (at most what is reserved).</summary>
    public void Release(long amount)
    {
        bool done;
        lock (this)
        {
            amount = Math.Min(amount, memory);
            ResourceScope.Release(chain, Resource.Memory, amount);
            ResourceMetrics.MemoryChanged(-amount);
            memory -= amount;
            done = !counted && memory == 0 && !disposed;
        }

        if (done)
        {
            Dispose();
        }
    }

    /// <summary>
    /// The stream's protocol was negotiated: moves its count and memory from the transient scope to
    /// the protocol's scopes (with its limits, e.g. ping's two inbound streams per peer).
    /// </summary>
    /// <param name="protocol">The protocol.</param>
    /// <param name="error">The refusal, naming the scope.</param>
    /// <returns>Whether the stream was admitted; if not, the caller resets it (inbound) or fails the open (outbound).</returns>
    public bool TrySetProtocol(string protocol, out ResourceLimitExceededException? error)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var manager = connection.Manager;
        var (total, perPeer) = manager.AcquireProtocol(protocol, connection.Peer);
        ResourceScope[] added = perPeer is null ? [total] : [total, perPeer];
        lock (this)
        {
            if (disposed || Protocol is not null)
            {
                manager.ReleaseShared(added);
                error = null;
                return !disposed;
            }

            ResourceScope? refusedBy;
            Resource refused = count;
            long requested = 1;
            if (ResourceScope.TryReserve(added, count, 1, out refusedBy))
            {
                if (ResourceScope.TryReserve(added, Resource.Memory, memory, out refusedBy))
                {
                    // Out of transient (chain[1]), into the protocol's scopes.
                    ResourceScope[] transient = [chain[1]];
                    ResourceScope.Release(transient, count, 1);
                    ResourceScope.Release(transient, Resource.Memory, memory);
                    chain = [chain[0], .. added, .. chain[2..]];
                    protocolScope = total;
                    protocolPeerScope = perPeer;
                    Protocol = protocol;
                    error = null;
                    return true;
                }

                ResourceScope.Release(added, count, 1);
                (refused, requested) = (Resource.Memory, memory);
            }

            error = refusedBy!.Refusal(refused, requested);
        }

        manager.ReleaseShared(added);
        manager.Report(error, connection.Peer, connection.Address, protocol);
        return false;
    }

    /// <summary>
    /// The stream ended with <paramref name="stillBuffered"/> bytes unread: gives back its count and
    /// the memory beyond those; the rest follows as they are read (<see cref="Release"/>) or dropped.
    /// </summary>
    public void Complete(long stillBuffered)
    {
        bool done;
        lock (this)
        {
            if (disposed || !counted)
            {
                return;
            }

            counted = false;
            ResourceScope.Release(chain, count, 1);
            long surplus = Math.Max(0, memory - stillBuffered);
            ResourceScope.Release(chain, Resource.Memory, surplus);
            ResourceMetrics.MemoryChanged(-surplus);
            memory -= surplus;
            done = memory == 0;
        }

        if (done)
        {
            Dispose();
        }
    }

    /// <summary>Gives back everything the stream holds. Idempotent.</summary>
    public void Dispose()
    {
        ResourceScope[] shared;
        lock (this)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            if (counted)
            {
                ResourceScope.Release(chain, count, 1);
                counted = false;
            }

            ResourceScope.Release(chain, Resource.Memory, memory);
            ResourceMetrics.MemoryChanged(-memory);
            memory = 0;
            shared = protocolScope is null ? [] : protocolPeerScope is null ? [protocolScope] : [protocolScope, protocolPeerScope];
        }

        if (shared.Length > 0)
        {
            connection.Manager.ReleaseShared(shared);
        }

        connection.StreamEnded();
    }
}
