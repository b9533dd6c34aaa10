using Rx.Network.Addressing;

namespace Rx.Network;

/// <summary>
/// Something that happened in a network: the element type of <see cref="INetwork.Events"/>.
/// Match on the subtypes (<see cref="ListenStarted"/>, <see cref="ListenClosed"/>,
/// <see cref="Connected"/>, <see cref="Disconnected"/>, <see cref="StreamOpened"/>,
/// <see cref="StreamClosed"/>, <see cref="InboundRefused"/>), e.g. <c>network.Events.OfType&lt;Connected&gt;()</c>.
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
