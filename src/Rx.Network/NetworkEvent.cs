using System.Net;
using Rx.Network.Addressing;
using Rx.Network.Identity;
using Rx.Network.Resources;

namespace Rx.Network;

/// <summary>
/// Something that happened in a network: the element type of <see cref="INetwork.Events"/>.
/// Match on the subtypes (<see cref="ListenStarted"/>, <see cref="ListenClosed"/>,
/// <see cref="Connected"/>, <see cref="Disconnected"/>, <see cref="StreamOpened"/>,
/// <see cref="StreamClosed"/>, <see cref="InboundRefused"/>, <see cref="ResourceLimitReached"/>,
/// <see cref="NotifieeOverflowed"/>), e.g. <c>network.Events.OfType&lt;Connected&gt;()</c>.
/// </summary>
/// <param name="Timestamp">When it happened, from the network's time provider.</param>
public abstract record NetworkEvent(DateTimeOffset Timestamp);

/// <summary>The network started listening on an address.</summary>
/// <param name="Timestamp">When.</param>
/// <param name="Address">The bound address (a real port when port 0 was asked).</param>
public sealed record ListenStarted(DateTimeOffset Timestamp, Multiaddr Address) : NetworkEvent(Timestamp);

/// <summary>The network stopped listening on an address.</summary>
/// <param name="Timestamp">When.</param>
/// <param name="Address">The address.</param>
/// <param name="Error">Why, when the listener failed rather than being closed.</param>
public sealed record ListenClosed(DateTimeOffset Timestamp, Multiaddr Address, Exception? Error) : NetworkEvent(Timestamp);

/// <summary>A connection finished its upgrade. Precedes every <see cref="StreamOpened"/> on it.</summary>
/// <param name="Timestamp">When.</param>
/// <param name="Connection">The connection.</param>
public sealed record Connected(DateTimeOffset Timestamp, IConnection Connection) : NetworkEvent(Timestamp);

/// <summary>A connection closed. Follows every <see cref="StreamClosed"/> on it.</summary>
/// <param name="Timestamp">When.</param>
/// <param name="Connection">The connection.</param>
/// <param name="Error">Why, when it failed rather than closing gracefully (a typed exception).</param>
public sealed record Disconnected(DateTimeOffset Timestamp, IConnection Connection, Exception? Error) : NetworkEvent(Timestamp);

/// <summary>A stream was opened, and its protocol negotiated, in either direction.</summary>
/// <param name="Timestamp">When.</param>
/// <param name="Stream">The stream.</param>
public sealed record StreamOpened(DateTimeOffset Timestamp, IStream Stream) : NetworkEvent(Timestamp);

/// <summary>A stream ended: both sides closed it, it was reset, or its connection ended.</summary>
/// <param name="Timestamp">When.</param>
/// <param name="Stream">The stream.</param>
/// <param name="Error">Why, when it did not end cleanly (e.g. <see cref="StreamResetException"/>).</param>
public sealed record StreamClosed(DateTimeOffset Timestamp, IStream Stream, Exception? Error) : NetworkEvent(Timestamp);

/// <summary>
/// An inbound connection was refused before or right after its handshake because a limit was
/// reached: the per-source rate, pending handshakes, inbound or per-peer connections (see
/// <see cref="Swarm.ConnectionLimits"/>). The connection never became a <see cref="Connected"/>.
/// </summary>
/// <param name="Timestamp">When.</param>
/// <param name="RemoteAddress">Where the connection came from.</param>
/// <param name="Reason">The limit, with its name and configured value.</param>
public sealed record InboundRefused(DateTimeOffset Timestamp, Multiaddr RemoteAddress, ConnectionLimitExceededException Reason) : NetworkEvent(Timestamp);

/// <summary>
/// An inbound connection failed before it became a <see cref="Connected"/>: its transport upgrade
/// (a WebSocket's HTTP upgrade or TLS), the protocol negotiation or the security handshake went
/// wrong or timed out, or the remote sent bytes that break a protocol. Only that connection was closed.
/// </summary>
/// <param name="Timestamp">When.</param>
/// <param name="RemoteAddress">Where the connection came from.</param>
/// <param name="Error">Why (usually a <see cref="HandshakeException"/>).</param>
public sealed record InboundUpgradeFailed(DateTimeOffset Timestamp, Multiaddr RemoteAddress, Exception Error) : NetworkEvent(Timestamp);

/// <summary>
/// A resource limit refused something (see <see cref="INetwork.Resources"/>): an inbound connection
/// (closed), a stream the remote opened (reset with <see cref="ResourceLimitExceededException.StreamResetCode"/>),
/// the growth of a receive window (kept at its size), or a local open (which also threw
/// <see cref="ResourceLimitExceededException"/>).
/// </summary>
/// <remarks>
/// Coalesced so that a flood cannot flood the event queue: refusals of the same scope and resource
/// within <see cref="ResourceLimits.RefusalReportInterval"/> become one event whose
/// <see cref="Count"/> says how many it stands for, and at most 64 such events are published per
/// interval; every refusal is still counted on the <c>rxnet.resources.refused</c> instrument.
/// </remarks>
/// <param name="Timestamp">When (of the latest refusal it stands for).</param>
/// <param name="Scope">The scope that refused, e.g. <c>address:203.0.113.7/32</c>.</param>
/// <param name="Kind">The scope's kind.</param>
/// <param name="Resource">The resource refused.</param>
/// <param name="Requested">How much the latest refusal asked.</param>
/// <param name="Limit">The scope's limit.</param>
/// <param name="Peer">The remote peer, when known.</param>
/// <param name="Address">The remote IP address, when known.</param>
/// <param name="Protocol">The protocol, when the refusal concerned one.</param>
/// <param name="Count">How many refusals of this scope and resource the event stands for (1 or more).</param>
public sealed record ResourceLimitReached(
    DateTimeOffset Timestamp,
    string Scope,
    ScopeKind Kind,
    Resource Resource,
    long Requested,
    long Limit,
    PeerId? Peer,
    IPAddress? Address,
    string? Protocol,
    int Count) : NetworkEvent(Timestamp);

/// <summary>
/// A notifiee registered with <see cref="IDialer.Notify"/> fell more than
/// <see cref="NetworkOptions.EventQueueCapacity"/> events behind (its callbacks were too slow), so
/// its registration was ended rather than letting its queue grow; it receives no further calls.
/// The network also logs a warning. Register it again to resume (events in between are missed).
/// </summary>
/// <param name="Timestamp">When.</param>
/// <param name="Notifiee">The notifiee that was detached.</param>
/// <param name="Error">The overflow, with the queue bound that was exceeded.</param>
public sealed record NotifieeOverflowed(DateTimeOffset Timestamp, INotifiee Notifiee, EventOverflowException Error) : NetworkEvent(Timestamp);
