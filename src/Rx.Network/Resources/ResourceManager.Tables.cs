using System.Net;
using Rx.Network.Identity;

namespace Rx.Network.Resources;

/// <content>
/// The shared scopes: an address, peer, protocol or protocol-per-peer scope exists while a
/// connection or stream holds it (<see cref="ResourceScope.Holders"/>), and is dropped — with its
/// row in <see cref="Scopes"/> — when the last holder lets go. Their number is therefore bounded by
/// the connections and streams the other limits admit.
/// </content>
internal sealed partial class ResourceManager
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, ResourceScope> shared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceScope> connections = new(StringComparer.Ordinal);
    private readonly List<string> retired = [];

    /// <summary>Holds the address scopes of <paramref name="remote"/>, narrowest first.</summary>
    internal ResourceScope[] AcquireAddresses(IPAddress remote)
    {
        var groups = AddressGroups.Of(remote, Limits);
        var scopes = new ResourceScope[groups.Length];
        lock (gate)
        {
            for (int i = 0; i < groups.Length; i++)
            {
                scopes[i] = AcquireLocked(groups[i].Name, ScopeKind.Address, groups[i].Limits);
            }
        }

        return scopes;
    }

    internal ResourceScope AcquirePeer(PeerId peer)
    {
        lock (gate)
        {
            return AcquireLocked($"peer:{peer}", ScopeKind.Peer, Limits.Peer);
        }
    }

    /// <summary>Holds the protocol scope of <paramref name="protocol"/> and, with a known peer, its protocol-per-peer scope.</summary>
    internal (ResourceScope Protocol, ResourceScope? PerPeer) AcquireProtocol(string protocol, PeerId? peer)
    {
        var limits = Limits.ForProtocol(protocol);
        lock (gate)
        {
            var total = AcquireLocked($"protocol:{protocol}", ScopeKind.Protocol, limits.Total);
            var perPeer = peer is null ? null : AcquireLocked($"protocol-peer:{protocol}@{peer}", ScopeKind.ProtocolPeer, limits.PerPeer);
            return (total, perPeer);
        }
    }

    /// <summary>Lets go of shared scopes; each one nothing holds any more is dropped.</summary>
    internal void ReleaseShared(ReadOnlySpan<ResourceScope> scopes)
    {
        lock (gate)
        {
            foreach (var scope in scopes)
            {
                if (--scope.Holders == 0)
                {
                    shared.Remove(scope.Name);
                    scope.Retired = true;
                    retired.Add(scope.Name);
                }
            }
        }
    }

    /// <summary>Drops a connection's scope once it holds nothing.</summary>
    internal void RetireConnection(ResourceScope scope)
    {
        lock (gate)
        {
            if (connections.Remove(scope.Name))
            {
                scope.Retired = true;
                retired.Add(scope.Name);
            }
        }
    }

    /// <summary>Live shared scopes (for tests).</summary>
    internal int SharedScopeCount
    {
        get
        {
            lock (gate)
            {
                return shared.Count;
            }
        }
    }

    /// <summary>Live connection scopes (for tests).</summary>
    internal int ConnectionScopeCount
    {
        get
        {
            lock (gate)
            {
                return connections.Count;
            }
        }
    }

    private ResourceScope AcquireLocked(string name, ScopeKind kind, ScopeLimits limits)
    {
        if (!shared.TryGetValue(name, out var scope))
        {
            scope = new ResourceScope(name, kind, limits);
            shared.Add(name, scope);
        }

        scope.Holders++;
        return scope;
    }
}
