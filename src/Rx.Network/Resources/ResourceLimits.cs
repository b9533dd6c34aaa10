namespace Rx.Network.Resources;

/// <summary>
/// The limits of every resource scope of a node, with defaults that are safe on any host with no
/// configuration. Change them with <c>with</c>, e.g.
/// <c>ResourceLimits.Default with { System = ResourceLimits.Default.System with { Memory = 256L &lt;&lt; 20 } }</c>,
/// and pass them to <c>NetworkBuilder.WithResourceLimits</c>.
/// </summary>
/// <remarks>
/// <para>Memory is reserved before it is used (a yamux stream's receive window when it is granted
/// and each time auto-tuning grows it; a connection's transport buffers beyond an unreserved floor
/// of 80 KiB per direction as they grow), so
/// <see cref="System"/>'s <see cref="ScopeLimits.Memory"/> bounds the receive and transport
/// buffers of the whole node: with the defaults at most 128 MiB beyond the floors, whatever the
/// peers do. One address may hold at most half of it (<see cref="Ip4Address"/>, <see cref="Ip6Prefix56"/>,
/// <see cref="Ip6Prefix48"/>), one peer or connection too; at the initial 256 KiB window that is
/// 512 streams node-wide and 256 per connection, peer or address.</para>
/// <para>The node-wide counts of connections are <c>ConnectionLimits</c>' (<c>MaxInbound</c>,
/// <c>MaxOutbound</c>, <c>MaxPendingInbound</c>, <c>MaxPerPeer</c>); the scopes here count
/// connections too (visible in <see cref="IResourceManager.Scopes"/>) and add the per-address
/// limits on pending and established connections.</para>
/// </remarks>
public sealed record ResourceLimits
{
    /// <summary>One mebibyte.</summary>
    private const long MiB = 1024 * 1024;

    // Before Default: static initializers run in textual order.
    private static ScopeLimits AddressDefault { get; } = new() { Memory = 64 * MiB, InboundStreams = 1024, InboundConnections = 64, PendingConnections = 8 };

    /// <summary>The defaults.</summary>
    public static ResourceLimits Default { get; } = new();

    /// <summary>
    /// The whole node. Default: 128 MiB of memory (go-libp2p's base), 4,096 streams each way;
    /// connections unlimited here (see the remarks).
    /// </summary>
    public ScopeLimits System { get; init; } = new() { Memory = 128 * MiB, InboundStreams = 4096, OutboundStreams = 4096 };

    /// <summary>
    /// Connections still upgrading and streams not negotiated yet, all together. Default: 128 MiB,
    /// 1,024 streams each way, 64 pending connections.
    /// </summary>
    public ScopeLimits Transient { get; init; } = new() { Memory = 128 * MiB, InboundStreams = 1024, OutboundStreams = 1024, PendingConnections = 64 };

    /// <summary>
    /// One IPv4 address (/32). Default: 64 MiB, 1,024 inbound streams, 64 inbound connections and
    /// 8 pending ones, so one host cannot take the pending slots (64) others need. Connections we
    /// dial to the address count too, as outbound connections (unlimited by default), and their
    /// streams and buffers in its memory and streams.
    /// </summary>
    public ScopeLimits Ip4Address { get; init; } = AddressDefault;

    /// <summary>One IPv6 /56 prefix (what one host or site commonly owns). Default: as <see cref="Ip4Address"/>.</summary>
    public ScopeLimits Ip6Prefix56 { get; init; } = AddressDefault;

    /// <summary>One IPv6 /48 prefix. Default: 64 MiB, 1,024 inbound streams, 256 inbound connections, 32 pending.</summary>
    public ScopeLimits Ip6Prefix48 { get; init; } = new() { Memory = 64 * MiB, InboundStreams = 1024, InboundConnections = 256, PendingConnections = 32 };

    /// <summary>One peer. Default: 64 MiB, 1,024 streams each way (its connections are bounded by <c>ConnectionLimits.MaxPerPeer</c>).</summary>
    public ScopeLimits Peer { get; init; } = new() { Memory = 64 * MiB, InboundStreams = 1024, OutboundStreams = 1024 };

    /// <summary>One connection. Default: 64 MiB, 1,024 streams each way (as the yamux limits).</summary>
    public ScopeLimits Connection { get; init; } = new() { Memory = 64 * MiB, InboundStreams = 1024, OutboundStreams = 1024 };

    /// <summary>One stream. Default: 16 MiB of memory (the largest yamux window).</summary>
    public ScopeLimits Stream { get; init; } = new() { Memory = 16 * MiB };

    /// <summary>Each protocol without an entry in <see cref="Protocols"/>. Default: 2,048 inbound streams over all peers, 256 per peer.</summary>
    public ProtocolLimits DefaultProtocol { get; init; } = new(new ScopeLimits { InboundStreams = 2048 }, new ScopeLimits { InboundStreams = 256 });

    /// <summary>
    /// Limits of particular protocols (replacing <see cref="DefaultProtocol"/>). Default: ping
    /// (<c>/ipfs/ping/1.0.0</c>) 2 inbound streams per peer (as js-libp2p); identify and identify
    /// push (<c>/ipfs/id/1.0.0</c>, <c>/ipfs/id/push/1.0.0</c>) 16 per peer (as go-libp2p); perf
    /// (<c>/perf/1.0.0</c>) 64 per peer.
    /// </summary>
    public IReadOnlyDictionary<string, ProtocolLimits> Protocols { get; init; } = new Dictionary<string, ProtocolLimits>(StringComparer.Ordinal)
    {
        ["/ipfs/ping/1.0.0"] = ProtocolLimits.InboundPerPeer(2),
        ["/ipfs/id/1.0.0"] = ProtocolLimits.InboundPerPeer(16),
        ["/ipfs/id/push/1.0.0"] = ProtocolLimits.InboundPerPeer(16),
        ["/perf/1.0.0"] = ProtocolLimits.InboundPerPeer(64),
    };

    /// <summary>Sources exempt from the address and peer scopes. Default: none (loopback is not exempt).</summary>
    public ResourceAllowlist Allowlist { get; init; } = ResourceAllowlist.Empty;

    /// <summary>
    /// How often <see cref="IResourceManager.Scopes"/> is brought up to date with the scopes that
    /// changed (reservations themselves never touch the cache, so they stay cheap). Default 1 s.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero or negative.</exception>
    public TimeSpan PublishInterval
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Refusals of the same scope and resource within this interval are reported as one
    /// <c>ResourceLimitReached</c> event (carrying how many), so an attacker cannot flood the event
    /// queue. Default 1 s.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan RefusalReportInterval
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The defaults with the system memory scaled to the machine: 128 MiB plus one eighth of
    /// <paramref name="totalMemory"/> (go-libp2p's auto-scaling), and the transient scope with it;
    /// the per-address, per-peer and per-connection limits stay as they are. Only on request:
    /// the defaults do not scale.
    /// </summary>
    /// <param name="totalMemory">The machine's memory in bytes; by default what the runtime reports as available to the process.</param>
    /// <returns>The scaled limits.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="totalMemory"/> is negative.</exception>
    public ResourceLimits AutoScaled(long? totalMemory = null)
    {
        long total = totalMemory ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        long memory = checked(System.Memory + (total / 8));
        return this with
        {
            System = System with { Memory = memory },
            Transient = Transient with { Memory = Math.Max(Transient.Memory, memory) },
        };
    }

    /// <summary>The limits of <paramref name="protocol"/>.</summary>
    /// <param name="protocol">The protocol id.</param>
    /// <returns>Its entry in <see cref="Protocols"/>, else <see cref="DefaultProtocol"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="protocol"/> is null.</exception>
    public ProtocolLimits ForProtocol(string protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        return Protocols.TryGetValue(protocol, out var limits) ? limits : DefaultProtocol;
    }
}
