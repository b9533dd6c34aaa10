using Rx.Network.Reactive;

namespace Rx.Network.Resources;

/// <summary>
/// A node's resource manager: scoped budgets of memory, streams and connections that every
/// reservation must fit, from the widest scope to the narrowest — system → transient (connections
/// still upgrading, streams not yet negotiated) → address (IPv4 /32, IPv6 /56 and /48) → peer →
/// connection → protocol and protocol-per-peer → stream. A reservation is made in every scope it
/// passes through, or in none.
/// </summary>
/// <remarks>
/// What a refusal does: an inbound connection is closed before or right after its handshake, a
/// stream the remote opened is reset with <see cref="ResourceLimitExceededException.StreamResetCode"/>, a receive
/// window is not grown, and a local open fails with <see cref="ResourceLimitExceededException"/>.
/// Each refusal is reported (coalesced) as a <c>ResourceLimitReached</c> network event and counted
/// on the <c>rxnet.resources.refused</c> instrument.
/// </remarks>
public interface IResourceManager
{
    /// <summary>The limits in force.</summary>
    ResourceLimits Limits { get; }

    /// <summary>The node-wide usage now (exact, not the last published row).</summary>
    ScopeUsage SystemUsage { get; }

    /// <summary>
    /// The live scopes (all but the streams'), keyed by name, with their usage and limits; a scope's
    /// row is removed when nothing holds it any more. Reads (<c>Items</c>, <c>TryGetValue</c>, ...)
    /// and new subscriptions see the rows as of that moment; subscribers are pushed the scopes that
    /// changed every <see cref="ResourceLimits.PublishInterval"/> (or at once on <see cref="Publish"/>).
    /// While nothing subscribes, changes cost nothing here. Completes when the network shuts down.
    /// </summary>
    IObservableCache<string, ResourceScopeStatus> Scopes { get; }

    /// <summary>Brings <see cref="Scopes"/> up to date now, without waiting for the next refresh.</summary>
    void Publish();
}
