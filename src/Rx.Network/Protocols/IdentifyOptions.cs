using System.Reflection;

namespace Rx.Network.Protocols;

/// <summary>
/// Settings of the <see cref="IdentifyService"/>. The defaults interoperate with go-libp2p and
/// js-libp2p; every value read from a peer is bounded by one of these.
/// </summary>
public sealed record IdentifyOptions
{
    /// <summary>
    /// The protocol family we announce, <c>ipfs/0.1.0</c>: what go-libp2p and js-libp2p send
    /// (<see href="https://github.com/libp2p/specs/blob/master/identify/README.md#protocolversion">spec</see>).
    /// </summary>
    public const string DefaultProtocolVersion = "ipfs/0.1.0";

    /// <summary>
    /// The largest identify message read or written, in bytes: 8 KiB, go-libp2p's
    /// <c>signedIDSize</c> and js-libp2p's <c>MAX_IDENTIFY_MESSAGE_SIZE</c>. A peer that sends more
    /// fails with <see cref="MessageTooLargeException"/>.
    /// </summary>
    public const int DefaultMaxMessageSize = 8 * 1024;

    /// <summary>
    /// <c>rx-network/</c> followed by this library's version: the agent version sent by default,
    /// in the spec's <c>agent-name/version</c> form.
    /// </summary>
    public static string DefaultAgentVersion { get; } = "rx-network/" + LibraryVersion();

    // Declared after DefaultAgentVersion: static initializers run in textual order, and new() reads it.
    /// <summary>The defaults.</summary>
    public static IdentifyOptions Default { get; } = new();

    /// <summary>The agent version we send (free-form, usually <c>name/version</c>). Default <see cref="DefaultAgentVersion"/>.</summary>
    /// <exception cref="ArgumentException">Empty, or longer than 1024 characters.</exception>
    public string AgentVersion
    {
        get;
        init
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, 1024, nameof(AgentVersion));
            field = value;
        }
    } = DefaultAgentVersion;

    /// <summary>The protocol version we send. Default <see cref="DefaultProtocolVersion"/>.</summary>
    /// <exception cref="ArgumentException">Empty, or longer than 1024 characters.</exception>
    public string ProtocolVersion
    {
        get;
        init
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, 1024, nameof(ProtocolVersion));
            field = value;
        }
    } = DefaultProtocolVersion;

    /// <summary>
    /// How long one identify or push exchange may take, stream opening included. Default 10 s, the
    /// network's stream-negotiation timeout (js-libp2p uses 5 s, go-libp2p 60 s).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan Timeout
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(10);

    /// <summary>The largest single message, in bytes. Default <see cref="DefaultMaxMessageSize"/>; at least 1 KiB, at most 4 MiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 KiB..4 MiB.</exception>
    public int MaxMessageSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1024);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Encoding.LengthPrefixed.MessageSizeMax);
            field = value;
        }
    } = DefaultMaxMessageSize;

    /// <summary>
    /// The most messages read from one identify or push stream (they are merged), and written when
    /// our own information does not fit one message. Default 10, go-libp2p's <c>maxMessages</c>
    /// (the multi-message form is libp2p/specs#709).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1 or more than 100.</exception>
    public int MaxMessages
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 100);
            field = value;
        }
    } = 10;

    /// <summary>
    /// The most protocol entries examined in one identify answer or one push, over all its
    /// messages, duplicates and invalid ones included; later entries are skipped unread. Default 256
    /// (<see cref="Peerstore.PeerstoreOptions.MaxProtocolsPerPeer"/>): a remote can fit about 11,500
    /// ids in ten 8 KiB messages, and decoding them all is CPU it chooses to make us spend.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxProtocols
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 256;

    /// <summary>
    /// The most listen-address entries parsed in one identify answer or one push, over all its
    /// messages, duplicates and invalid ones included; later entries are skipped unread. Default 64
    /// (<see cref="Peerstore.PeerstoreOptions.MaxAddressesPerPeer"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxListenAddresses
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 64;

    /// <summary>
    /// How many identify pushes one connection may send per minute, in bursts of up to this many;
    /// a push beyond it is reset unread. Default 10: honest peers debounce their pushes (js-libp2p
    /// by 1 s) and push when their addresses or protocols change, rarely more than a few times a
    /// minute. With <see cref="MaxProtocols"/> and <see cref="MaxListenAddresses"/> it bounds the
    /// identify work a connection can cause: at most (1 + this × minutes) × (MaxProtocols +
    /// MaxListenAddresses) entries.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxPushesPerMinute
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 10;

    /// <summary>Whether every new connection is identified automatically, in both directions. Default <see langword="true"/>.</summary>
    public bool IdentifyNewConnections { get; init; } = true;

    /// <summary>
    /// Whether connected peers get an identify push (<c>/ipfs/id/push/1.0.0</c>) when our protocols
    /// or listen addresses change. Default <see langword="true"/>.
    /// </summary>
    public bool PushUpdates { get; init; } = true;

    /// <summary>
    /// How long after the first change a push is sent, so that a burst of changes (several handlers
    /// registered at start-up) makes one push. Default 1 s (js-libp2p's <c>PUSH_DEBOUNCE_MS</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public TimeSpan PushDelay
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(1);

    /// <summary>How many peers are pushed to at once. Default 32 (go-libp2p's <c>maxPushConcurrency</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int PushConcurrency
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 32;

    /// <summary>How many distinct observed addresses of ours are kept; the least recently reported goes first. Default 10 (as js-libp2p).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxObservedAddresses
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 10;

    private static string LibraryVersion()
    {
        var assembly = typeof(IdentifyOptions).Assembly;
        string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(informational))
        {
            // Drop the "+commit" build metadata the SDK appends: agents are compared by version.
            int plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus > 0 ? informational[..plus] : informational;
        }

        return assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    }
}
