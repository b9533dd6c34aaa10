using System.Net;
using System.Runtime.InteropServices;
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
    // One table per kind, keyed by what names the scope, so that holding one formats no name.
    private readonly Dictionary<string, ResourceScope> addressScopes = new(StringComparer.Ordinal);
    private readonly Dictionary<PeerId, ResourceScope> peerScopes = [];
    private readonly Dictionary<string, ResourceScope> protocolScopes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Protocol, PeerId Peer), ResourceScope> protocolPeerScopes = [];
    private readonly HashSet<ResourceScope> connections = new(ReferenceEqualityComparer.Instance);
    private readonly List<ResourceScope> retired = [];

    /// <summary>Holds the address scopes of <paramref name="remote"/>, narrowest first.</summary>
    internal ResourceScope[] AcquireAddresses(IPAddress remote)
    {
        var groups = AddressGroups.Of(remote, Limits);
        var scopes = new ResourceScope[groups.Length];
        lock (gate)
        {
            for (int i = 0; i < groups.Length; i++)
            {
                scopes[i] = AcquireLocked(addressScopes, groups[i].Name, groups[i].Limits, static (name, limits) => new ResourceScope(name, ScopeKind.Address, limits));
            }
        }

        return scopes;
    }

    internal ResourceScope AcquirePeer(PeerId peer)
    {
        lock (gate)
        {
            return AcquireLocked(peerScopes, peer, Limits.Peer, ResourceScope.OfPeer);
        }
    }

    /// <summary>Holds the protocol scope of <paramref name="protocol"/> and, with a known peer, its protocol-per-peer scope.</summary>
    internal (ResourceScope Protocol, ResourceScope? PerPeer) AcquireProtocol(string protocol, PeerId? peer)
    {
        var limits = Limits.ForProtocol(protocol);
        lock (gate)
        {
            var total = AcquireLocked(protocolScopes, protocol, limits.Total, ResourceScope.OfProtocol);
            var perPeer = peer is null ? null : AcquireLocked(protocolPeerScopes, (protocol, peer), limits.PerPeer, static (key, limits) => ResourceScope.OfProtocolPeer(key.Item1, key.Item2, limits));
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
                    _ = scope.Kind switch
                    {
                        ScopeKind.Peer => peerScopes.Remove(scope.Peer!),
                        ScopeKind.Protocol => protocolScopes.Remove(scope.Protocol!),
                        ScopeKind.ProtocolPeer => protocolPeerScopes.Remove((scope.Protocol!, scope.Peer!)),
                        _ => addressScopes.Remove(scope.Name),
                    };
                    scope.Retired = true;
                    retired.Add(scope);
                }
            }
        }
    }

    /// <summary>Drops a connection's scope once it holds nothing.</summary>
    internal void RetireConnection(ResourceScope scope)
    {
        lock (gate)
        {
            if (connections.Remove(scope))
            {
                scope.Retired = true;
                retired.Add(scope);
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
                return addressScopes.Count + peerScopes.Count + protocolScopes.Count + protocolPeerScopes.Count;
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

    /// <summary>The shared scopes, guarded by the manager's lock: addresses, peers, protocols, protocols per peer.</summary>
    private IEnumerable<ResourceScope> SharedScopes() =>
        addressScopes.Values.Concat(peerScopes.Values).Concat(protocolScopes.Values).Concat(protocolPeerScopes.Values);

    private static ResourceScope AcquireLocked<TKey>(Dictionary<TKey, ResourceScope> table, TKey key, ScopeLimits limits, Func<TKey, ScopeLimits, ResourceScope> create)
        where TKey : notnull
    {
        ref var scope = ref CollectionsMarshal.GetValueRefOrAddDefault(table, key, out _);
        scope ??= create(key, limits);
        scope.Holders++;
        return scope;
    }
}
