using System.IO.Pipelines;

namespace Rx.Network.Negotiation;

/// <summary>
/// multistream-select 1.0 (<c>/multistream/1.0.0</c>): agrees with the remote on the protocol that
/// a raw connection, or a newly opened stream, speaks next
/// (<see href="https://github.com/libp2p/specs/blob/master/connections/README.md#protocol-negotiation">libp2p connections spec</see>,
/// <see href="https://github.com/multiformats/multistream-select">multistream-select</see>).
/// </summary>
/// <remarks>
/// <para>Every message is a uvarint length, UTF-8 text and a newline; the initiator proposes
/// protocols in order, the responder echoes the one it accepts or answers <c>na</c>, and answers
/// <c>ls</c> with the protocols it lists.</para>
/// <para>The <see cref="IDuplexPipe"/> overloads are the primary API; the <see cref="Stream"/>
/// overloads are thin wrappers that read message by message without buffering ahead. Either way,
/// nothing past the last negotiation message is consumed: bytes the remote sent right behind its
/// echo (or behind its proposal) are left for the negotiated protocol. On failure the channel is
/// left as it is; the caller closes it.</para>
/// <para>Failures: <see cref="NegotiationException"/> (an <see cref="IOException"/>) when the
/// remote followed the protocol but no agreement was reached (see <see cref="NegotiationFailure"/>);
/// <see cref="WireProtocolViolationException"/> (a <see cref="FormatException"/>) for malformed or
/// unexpected messages, with <see cref="MessageTooLargeException"/> for one over
/// <see cref="MaxMessageLength"/>; <see cref="OperationCanceledException"/> when the caller's token
/// is canceled; and whatever the underlying channel throws (an <see cref="IOException"/> for a
/// socket error).</para>
/// </remarks>
public static class MultistreamSelect
{
    /// <summary>The protocol id of multistream-select 1.0, sent first by both sides as the header.</summary>
    public const string ProtocolId = "/multistream/1.0.0";

    /// <summary>The answer refusing a proposal ("not available").</summary>
    public const string NotAvailable = "na";

    /// <summary>The request for the list of protocols the responder supports.</summary>
    public const string List = "ls";

    /// <summary>
    /// The largest message accepted, in bytes of payload (text plus newline, without the length
    /// prefix): 1024, the limit go-multistream and js-libp2p enforce.
    /// </summary>
    public const int MaxMessageLength = 1024;

    /// <summary>
    /// Negotiates as the initiator: sends the header with the first proposal in one write, then
    /// each further proposal after a refusal, until one is echoed.
    /// </summary>
    /// <param name="pipe">The channel (a raw connection or a new stream).</param>
    /// <param name="protocols">The protocols to propose, most preferred first.</param>
    /// <param name="options">Limits and timeout; <see cref="MultistreamOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the negotiation.</param>
    /// <returns>The protocol the responder accepted.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipe"/> or <paramref name="protocols"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="protocols"/> is empty or holds an invalid protocol id (null, empty, over <see cref="MaxMessageLength"/> bytes with its newline, or reserved: the header, <c>na</c>, <c>ls</c>).</exception>
    /// <exception cref="NegotiationException">Every protocol was refused, the timeout elapsed, or the remote closed the channel.</exception>
    /// <exception cref="WireProtocolViolationException">The remote sent a wrong header, an unexpected answer or a malformed message.</exception>
    /// <exception cref="MessageTooLargeException">The remote sent a message over <see cref="MaxMessageLength"/> bytes.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static Task<string> SelectAsync(IDuplexPipe pipe, IReadOnlyList<string> protocols, MultistreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ValidateProposals(protocols);
        return Negotiator.SelectAsync(new PipeMessageChannel(pipe), protocols, options ?? MultistreamOptions.Default, cancellationToken);
    }

    /// <summary>Negotiates as the initiator over a <see cref="Stream"/>; see <see cref="SelectAsync(IDuplexPipe, IReadOnlyList{string}, MultistreamOptions?, CancellationToken)"/>.</summary>
    /// <param name="stream">The channel; readable and writable.</param>
    /// <param name="protocols">The protocols to propose, most preferred first.</param>
    /// <param name="options">Limits and timeout; <see cref="MultistreamOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the negotiation.</param>
    /// <returns>The protocol the responder accepted.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="protocols"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot read or write, or <paramref name="protocols"/> is empty or holds an invalid protocol id.</exception>
    /// <exception cref="NegotiationException">Every protocol was refused, the timeout elapsed, or the remote closed the channel.</exception>
    /// <exception cref="WireProtocolViolationException">The remote sent a wrong header, an unexpected answer or a malformed message.</exception>
    /// <exception cref="MessageTooLargeException">The remote sent a message over <see cref="MaxMessageLength"/> bytes.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static Task<string> SelectAsync(Stream stream, IReadOnlyList<string> protocols, MultistreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateStream(stream);
        ValidateProposals(protocols);
        return Negotiator.SelectAsync(new StreamMessageChannel(stream), protocols, options ?? MultistreamOptions.Default, cancellationToken);
    }

    /// <summary>
    /// Negotiates as the responder: sends the header, answers <c>na</c> to unsupported proposals and
    /// <c>ls</c> with <paramref name="supported"/>, and echoes the first supported proposal.
    /// </summary>
    /// <param name="pipe">The channel (a raw connection or an incoming stream).</param>
    /// <param name="supported">The protocols accepted, matched exactly (ordinal).</param>
    /// <param name="options">Limits and timeout; <see cref="MultistreamOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the negotiation.</param>
    /// <returns>The protocol accepted.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipe"/> or <paramref name="supported"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="supported"/> holds an invalid protocol id.</exception>
    /// <exception cref="NegotiationException">The remote made more than <see cref="MultistreamOptions.MaxRefusals"/> refused proposals, the timeout elapsed, or the remote closed the channel.</exception>
    /// <exception cref="WireProtocolViolationException">The remote sent a wrong header or a malformed message.</exception>
    /// <exception cref="MessageTooLargeException">The remote sent a message over <see cref="MaxMessageLength"/> bytes.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static Task<string> HandleAsync(IDuplexPipe pipe, IReadOnlyCollection<string> supported, MultistreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        var set = ToSet(supported);
        return Negotiator.HandleAsync(new PipeMessageChannel(pipe), set.Contains, supported, options ?? MultistreamOptions.Default, cancellationToken);
    }

    /// <summary>
    /// Negotiates as the responder with a match function: accepts the first proposal for which
    /// <paramref name="accept"/> returns <see langword="true"/> and answers <c>ls</c> with
    /// <paramref name="listed"/>.
    /// </summary>
    /// <param name="pipe">The channel (a raw connection or an incoming stream).</param>
    /// <param name="accept">Decides whether a proposed protocol is accepted; called once per proposal.</param>
    /// <param name="listed">The protocols named in an <c>ls</c> answer; none when null.</param>
    /// <param name="options">Limits and timeout; <see cref="MultistreamOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the negotiation.</param>
    /// <returns>The protocol accepted, as the remote proposed it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipe"/> or <paramref name="accept"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="listed"/> holds an invalid protocol id.</exception>
    /// <exception cref="NegotiationException">The remote made more than <see cref="MultistreamOptions.MaxRefusals"/> refused proposals, the timeout elapsed, or the remote closed the channel.</exception>
    /// <exception cref="WireProtocolViolationException">The remote sent a wrong header or a malformed message.</exception>
    /// <exception cref="MessageTooLargeException">The remote sent a message over <see cref="MaxMessageLength"/> bytes.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static Task<string> HandleAsync(IDuplexPipe pipe, Func<string, bool> accept, IReadOnlyCollection<string>? listed = null, MultistreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ArgumentNullException.ThrowIfNull(accept);
        listed = ValidateListed(listed);
        return Negotiator.HandleAsync(new PipeMessageChannel(pipe), accept, listed, options ?? MultistreamOptions.Default, cancellationToken);
    }

    /// <summary>Negotiates as the responder over a <see cref="Stream"/>; see <see cref="HandleAsync(IDuplexPipe, IReadOnlyCollection{string}, MultistreamOptions?, CancellationToken)"/>.</summary>
    /// <param name="stream">The channel; readable and writable.</param>
    /// <param name="supported">The protocols accepted, matched exactly (ordinal).</param>
    /// <param name="options">Limits and timeout; <see cref="MultistreamOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the negotiation.</param>
    /// <returns>The protocol accepted.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="supported"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot read or write, or <paramref name="supported"/> holds an invalid protocol id.</exception>
    /// <exception cref="NegotiationException">The remote made more than <see cref="MultistreamOptions.MaxRefusals"/> refused proposals, the timeout elapsed, or the remote closed the channel.</exception>
    /// <exception cref="WireProtocolViolationException">The remote sent a wrong header or a malformed message.</exception>
    /// <exception cref="MessageTooLargeException">The remote sent a message over <see cref="MaxMessageLength"/> bytes.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static Task<string> HandleAsync(Stream stream, IReadOnlyCollection<string> supported, MultistreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateStream(stream);
        var set = ToSet(supported);
        return Negotiator.HandleAsync(new StreamMessageChannel(stream), set.Contains, supported, options ?? MultistreamOptions.Default, cancellationToken);
    }

    /// <summary>Negotiates as the responder over a <see cref="Stream"/> with a match function; see <see cref="HandleAsync(IDuplexPipe, Func{string, bool}, IReadOnlyCollection{string}?, MultistreamOptions?, CancellationToken)"/>.</summary>
    /// <param name="stream">The channel; readable and writable.</param>
    /// <param name="accept">Decides whether a proposed protocol is accepted; called once per proposal.</param>
    /// <param name="listed">The protocols named in an <c>ls</c> answer; none when null.</param>
    /// <param name="options">Limits and timeout; <see cref="MultistreamOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the negotiation.</param>
    /// <returns>The protocol accepted, as the remote proposed it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="accept"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot read or write, or <paramref name="listed"/> holds an invalid protocol id.</exception>
    /// <exception cref="NegotiationException">The remote made more than <see cref="MultistreamOptions.MaxRefusals"/> refused proposals, the timeout elapsed, or the remote closed the channel.</exception>
    /// <exception cref="WireProtocolViolationException">The remote sent a wrong header or a malformed message.</exception>
    /// <exception cref="MessageTooLargeException">The remote sent a message over <see cref="MaxMessageLength"/> bytes.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static Task<string> HandleAsync(Stream stream, Func<string, bool> accept, IReadOnlyCollection<string>? listed = null, MultistreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateStream(stream);
        ArgumentNullException.ThrowIfNull(accept);
        listed = ValidateListed(listed);
        return Negotiator.HandleAsync(new StreamMessageChannel(stream), accept, listed, options ?? MultistreamOptions.Default, cancellationToken);
    }

    private static void ValidateStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanWrite)
        {
            throw new ArgumentException("The stream must be readable and writable.", nameof(stream));
        }
    }

    private static void ValidateProposals(IReadOnlyList<string> protocols)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        if (protocols.Count == 0)
        {
            throw new ArgumentException("At least one protocol must be proposed.", nameof(protocols));
        }

        foreach (var protocol in protocols)
        {
            ValidateProtocolId(protocol, nameof(protocols));
        }
    }

    private static HashSet<string> ToSet(IReadOnlyCollection<string> supported)
    {
        ArgumentNullException.ThrowIfNull(supported);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var protocol in supported)
        {
            ValidateProtocolId(protocol, nameof(supported));
            set.Add(protocol);
        }

        return set;
    }

    private static IReadOnlyCollection<string> ValidateListed(IReadOnlyCollection<string>? listed)
    {
        if (listed is null)
        {
            return [];
        }

        foreach (var protocol in listed)
        {
            ValidateProtocolId(protocol, nameof(listed));
        }

        return listed;
    }

    private static void ValidateProtocolId(string protocol, string parameterName)
    {
        if (string.IsNullOrEmpty(protocol))
        {
            throw new ArgumentException("A protocol id must not be null or empty.", parameterName);
        }

        if (protocol is ProtocolId or NotAvailable or List)
        {
            throw new ArgumentException($"'{protocol}' is reserved by multistream-select and cannot name a protocol.", parameterName);
        }

        int length = MultistreamMessage.GetTextLength(protocol);
        if (length < 0)
        {
            throw new ArgumentException("A protocol id must be valid UTF-16 (it holds an unpaired surrogate).", parameterName);
        }

        // The newline that ends the message counts towards the limit.
        if (length + 1 > MaxMessageLength)
        {
            throw new ArgumentException($"The protocol id '{protocol[..32]}…' is longer than {MaxMessageLength - 1} UTF-8 bytes.", parameterName);
        }
    }
}
