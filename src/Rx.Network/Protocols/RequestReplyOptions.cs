using Rx.Network.Encoding;

namespace Rx.Network.Protocols;

/// <summary>
/// Settings of a <see cref="RequestReplyService"/>. Every count and size it keeps is bounded by one
/// of these; the defaults suit a libp2p host.
/// </summary>
/// <remarks>
/// <para>Memory a service may hold for requests it serves is bounded by
/// <see cref="MaxConcurrentHandlers"/> × <see cref="MaxRequestSize"/> (requests are read only once a
/// handler slot is free) plus, for the <see cref="MaxWaitingRequests"/> streams waiting for a slot,
/// what the muxer buffers per stream (a yamux receive window, 256 KiB by default). Raise the limits
/// with that product in mind: unbounded request buffering is a denial-of-service risk.</para>
/// <para>Both peers of a protocol should agree on the size limits: the client checks its request
/// against its own <see cref="MaxRequestSize"/> and the reply against its own
/// <see cref="MaxReplySize"/>; the server checks the request against its limit and its handler's
/// reply against its own.</para>
/// </remarks>
public sealed class RequestReplyOptions
{
    /// <summary>The defaults.</summary>
    public static RequestReplyOptions Default { get; } = new();

    /// <summary>
    /// The largest request, in bytes (the length-prefixed payload, without its prefix). Default
    /// <see cref="LengthPrefixed.MessageSizeMax"/> (4 MiB). At least 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int MaxRequestSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = LengthPrefixed.MessageSizeMax;

    /// <summary>
    /// The largest reply, in bytes (the length-prefixed payload, without its prefix). Default
    /// <see cref="LengthPrefixed.MessageSizeMax"/> (4 MiB). At least 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int MaxReplySize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = LengthPrefixed.MessageSizeMax;

    /// <summary>
    /// How long one request may take, default 30 s; <see cref="Timeout.InfiniteTimeSpan"/> disables
    /// the limit. For the client, it covers the whole
    /// <see cref="RequestReplyService.RequestAsync(Identity.PeerId, ReadOnlyMemory{byte}, CancellationToken)"/>
    /// (dialing, negotiation, sending, the reply). For the server, it runs from the stream's arrival
    /// (waiting for a handler slot, reading the request, the handler, writing the reply); when it
    /// expires the stream is reset.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Neither positive nor <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan RequestTimeout
    {
        get;
        init
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
            }

            field = value;
        }
    } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most requests whose handler runs at once, default 64. A handler slot is held from reading
    /// the request until the handler's task ends (even past the timeout, when a handler ignores its
    /// cancellation token), so a service never runs more handlers than this. At least 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxConcurrentHandlers
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 64;

    /// <summary>
    /// The most inbound requests waiting for a handler slot, default 256. Streams arriving when this
    /// many already wait are reset at once (the client sees <see cref="RequestFailedException"/>):
    /// load is shed rather than queued without bound. A waiting request's timeout is already running.
    /// 0 resets every request above <see cref="MaxConcurrentHandlers"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int MaxWaitingRequests
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 256;

    /// <summary>
    /// The clock for <see cref="RequestTimeout"/>; null (the default) uses the network's own clock
    /// (the one given to its builder, or the mock network's), else <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider? TimeProvider { get; init; }
}
