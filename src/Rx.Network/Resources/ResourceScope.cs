using Rx.Network.Identity;

namespace Rx.Network.Resources;

/// <summary>
/// One scope's counters and limits. Reservations are lock-free: each counter moves with a
/// compare-and-swap that never takes it past its limit, and a reservation across several scopes
/// (<see cref="TryReserve"/>) rolls back the scopes it already passed when a later one refuses, so
/// it lands in all of them or in none.
/// </summary>
/// <remarks>
/// Because a refused multi-scope reservation is undone rather than prevented, a concurrent
/// reservation may briefly see the undone amount and be refused too: near a limit the manager errs
/// on the side of refusing, never of exceeding.
/// </remarks>
internal sealed class ResourceScope
{
    /// <summary>How many resources a scope counts (the values of <see cref="Resource"/>).</summary>
    internal const int ResourceCount = 6;

    // Inline in the scope rather than an array beside it: a node holds a scope per connection
    // and per stream, and a simulation of many nodes holds hundreds of thousands. The limits are
    // read from the (immutable) Limits rather than copied into the scope: 48 bytes less each.
    private Counters used;
    private int dirty = 1;
    private string? name;

    public ResourceScope(string name, ScopeKind kind, ScopeLimits limits)
        : this(kind, limits)
    {
        this.name = name;
    }

    private ResourceScope(ScopeKind kind, ScopeLimits limits)
    {
        Kind = kind;
        Limits = limits;
    }

    /// <summary>
    /// The scope's name, as rows and refusals show it. A connection's, stream's, peer's or
    /// protocol's is written on first read: a node opens many and most are never shown.
    /// </summary>
    public string Name => name ??= Kind switch
    {
        ScopeKind.Connection => $"connection:{Number}",
        ScopeKind.Stream => $"stream:{Number}",
        ScopeKind.Peer => $"peer:{Peer}",
        ScopeKind.Protocol => $"protocol:{Protocol}",
        _ => $"protocol-peer:{Protocol}@{Peer}",
    };

    /// <summary>The peer of a peer or protocol-per-peer scope.</summary>
    public PeerId? Peer { get; private init; }

    /// <summary>The protocol of a protocol or protocol-per-peer scope.</summary>
    public string? Protocol { get; private init; }

    /// <summary>The ordinal of a connection or stream scope.</summary>
    public long Number { get; private init; }

    public ScopeKind Kind { get; }

    public ScopeLimits Limits { get; }

    /// <summary>A connection's or a stream's scope, named by its ordinal.</summary>
    public static ResourceScope Numbered(ScopeKind kind, long number, ScopeLimits limits) => new(kind, limits) { Number = number };

    /// <summary>A peer's scope.</summary>
    public static ResourceScope OfPeer(PeerId peer, ScopeLimits limits) => new(ScopeKind.Peer, limits) { Peer = peer };

    /// <summary>A protocol's scope, over all peers.</summary>
    public static ResourceScope OfProtocol(string protocol, ScopeLimits limits) => new(ScopeKind.Protocol, limits) { Protocol = protocol };

    /// <summary>A protocol's scope for one peer.</summary>
    public static ResourceScope OfProtocolPeer(string protocol, PeerId peer, ScopeLimits limits) =>
        new(ScopeKind.ProtocolPeer, limits) { Protocol = protocol, Peer = peer };

    /// <summary>Scopes below this one that count in it (for the manager's bookkeeping of shared scopes); guarded by the manager.</summary>
    public int Holders { get; set; }

    /// <summary>Set when the manager dropped the scope from its table (nothing held it any more).</summary>
    public bool Retired { get; set; }

    /// <summary>Whether the scope holds nothing.</summary>
    public bool IsEmpty
    {
        get
        {
            for (int i = 0; i < ResourceCount; i++)
            {
                if (Volatile.Read(ref used[i]) != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public ScopeUsage Usage => new(
        Volatile.Read(ref used[0]),
        (int)Volatile.Read(ref used[1]),
        (int)Volatile.Read(ref used[2]),
        (int)Volatile.Read(ref used[3]),
        (int)Volatile.Read(ref used[4]),
        (int)Volatile.Read(ref used[5]));

    public long Used(Resource resource) => Volatile.Read(ref used[(int)resource]);

    /// <summary>Takes and clears the changed-since-last-publish flag.</summary>
    public bool TakeDirty() => Interlocked.Exchange(ref dirty, 0) == 1;

    /// <summary>Adds <paramref name="amount"/> unless that passes the limit.</summary>
    public bool TryAdd(Resource resource, long amount)
    {
        ref long counter = ref used[(int)resource];
        long limit = Limits[resource];
        long current = Volatile.Read(ref counter);
        while (true)
        {
            if (amount > limit - current)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref counter, current + amount, current);
            if (seen == current)
            {
                Volatile.Write(ref dirty, 1);
                return true;
            }

            current = seen;
        }
    }

    /// <summary>Gives back <paramref name="amount"/> (never below zero: a release the scope never saw is a bug, clamped rather than carried).</summary>
    public void Subtract(Resource resource, long amount)
    {
        ref long counter = ref used[(int)resource];
        long left = Interlocked.Add(ref counter, -amount);
        if (left < 0)
        {
            Interlocked.Add(ref counter, -left);
        }

        Volatile.Write(ref dirty, 1);
    }

    /// <summary>
    /// Reserves <paramref name="amount"/> of <paramref name="resource"/> in every scope of
    /// <paramref name="chain"/>, or in none; on refusal, <paramref name="refusedBy"/> is the scope
    /// that refused.
    /// </summary>
    public static bool TryReserve(ReadOnlySpan<ResourceScope> chain, Resource resource, long amount, out ResourceScope? refusedBy)
    {
        for (int i = 0; i < chain.Length; i++)
        {
            if (!chain[i].TryAdd(resource, amount))
            {
                for (int j = 0; j < i; j++)
                {
                    chain[j].Subtract(resource, amount);
                }

                refusedBy = chain[i];
                return false;
            }
        }

        refusedBy = null;
        return true;
    }

    /// <summary>Releases <paramref name="amount"/> of <paramref name="resource"/> from every scope of <paramref name="chain"/>.</summary>
    public static void Release(ReadOnlySpan<ResourceScope> chain, Resource resource, long amount)
    {
        if (amount == 0)
        {
            return;
        }

        foreach (var scope in chain)
        {
            scope.Subtract(resource, amount);
        }
    }

    /// <summary>The exception for a refusal of <paramref name="requested"/> by this scope.</summary>
    public ResourceLimitExceededException Refusal(Resource resource, long requested) =>
        new(Name, Kind, resource, requested, Used(resource), Limits[resource]);

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>One counter per <see cref="Resource"/>, stored in the scope itself.</summary>
    [System.Runtime.CompilerServices.InlineArray(ResourceCount)]
    private struct Counters
    {
        private long first;
    }
}
