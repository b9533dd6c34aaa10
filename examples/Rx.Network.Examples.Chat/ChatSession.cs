using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text;
using Rx.Network.Encoding;
using Rx.Network.Identity;

namespace Rx.Network.Examples.Chat;

/// <summary>
/// A conversation with one peer over one <c>/chat/1.0.0</c> stream: each message is a UTF-8
/// text framed with <see cref="LengthPrefixed"/>; either side may write at any time; a side that
/// leaves half-closes its direction.
/// </summary>
/// <remarks>
/// Open a session with <see cref="ConnectAsync"/> (the dialing side) or <see cref="AcceptAsync"/>
/// (the listening side), subscribe to <see cref="Messages"/>, send with <see cref="SendAsync"/>,
/// leave with <see cref="LeaveAsync"/>. The session owns its stream.
/// </remarks>
public sealed class ChatSession : IAsyncDisposable
{
    /// <summary>The protocol id.</summary>
    public const string ProtocolId = "/chat/1.0.0";

    /// <summary>The largest message accepted, in UTF-8 bytes (16 KiB: a chat line, not a file).</summary>
    public const int MaxMessageBytes = 16 * 1024;

    // Strict in both directions: a lone surrogate from our caller is a caller mistake, invalid
    // UTF-8 from the remote a protocol violation; neither is silently replaced.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IStream stream;
    private readonly MessageFramer framer = new(MaxMessageBytes);
    private readonly SemaphoreSlim sendGate = new(1, 1);

    /// <summary>Wraps an open <c>/chat/1.0.0</c> stream; the session takes ownership of it.</summary>
    /// <param name="stream">The stream.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public ChatSession(IStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        this.stream = stream;

        // The framer lives in the session, not in one subscription, so a later subscription
        // resumes exactly where an earlier one stopped, even inside a message.
        Messages = stream.Incoming
            .SelectMany(chunk => framer.Push(chunk))
            .Concat(Observable.Defer(() => framer.HasPartialMessage
                ? Observable.Throw<byte[]>(new WireProtocolViolationException("The chat stream ended inside a message."))
                : Observable.Empty<byte[]>()))
            .Select(payload => new ChatMessage(RemotePeer, Decode(payload)))
            .Do(onNext: _ => { }, onError: error =>
            {
                // Bad bytes from the remote end the conversation: the stream is reset, the error reported.
                if (error is FormatException)
                {
                    stream.Reset();
                }
            })
            .Publish()
            .RefCount();
    }

    /// <summary>Our peer ID.</summary>
    public PeerId LocalPeer => stream.Connection.LocalPeer;

    /// <summary>The other peer.</summary>
    public PeerId RemotePeer => stream.Connection.RemotePeer;

    /// <summary>
    /// The messages the other peer sends. Reading starts with the first subscription and is
    /// shared by concurrent subscribers (hot); messages that arrive while nobody is subscribed
    /// wait in the stream's bounded receive window, so subscribe once and stay subscribed.
    /// Completes when the other peer leaves; errors with <see cref="StreamResetException"/> when
    /// the stream is reset, <see cref="IOException"/> when the connection is lost, or
    /// <see cref="WireProtocolViolationException"/> (after resetting the stream) when the peer sends
    /// malformed messages.
    /// </summary>
    public IObservable<ChatMessage> Messages { get; }

    /// <summary>Opens a chat with <paramref name="peer"/>, dialing it if needed.</summary>
    /// <param name="network">Our network; it must know an address of <paramref name="peer"/>.</param>
    /// <param name="peer">The peer, which must serve <see cref="ProtocolId"/>.</param>
    /// <param name="cancellationToken">Cancels the dial and the negotiation.</param>
    /// <returns>The session.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="DialException">The peer could not be reached.</exception>
    /// <exception cref="NegotiationException">The peer does not speak <see cref="ProtocolId"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<ChatSession> ConnectAsync(INetwork network, PeerId peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(peer);
        var stream = await network.NewStreamAsync(peer, [ProtocolId], cancellationToken).ConfigureAwait(false);
        return new ChatSession(stream);
    }

    /// <summary>
    /// Serves <see cref="ProtocolId"/> on <paramref name="network"/> until the first peer opens a
    /// chat, and returns that chat. Later chat streams are refused (reset) unless another accept
    /// is waiting.
    /// </summary>
    /// <param name="network">Our network.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The session with the first peer that opened a chat.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The network shut down first.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<ChatSession> AcceptAsync(INetwork network, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);

        // Streams() serves the protocol from the moment of subscription, so the caller may
        // announce its address as soon as this method has returned its task.
        var stream = await network.Streams(ProtocolId).FirstAsync().ToTask(cancellationToken).ConfigureAwait(false);
        return new ChatSession(stream);
    }

    /// <summary>Sends one message.</summary>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">Cancels the wait for flow-control credit.</param>
    /// <returns>A task that completes when the message was accepted by the connection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> is longer than <see cref="MaxMessageBytes"/> in UTF-8, or is not valid UTF-16.</exception>
    /// <exception cref="InvalidOperationException">We already left.</exception>
    /// <exception cref="IOException">The stream was reset or the connection failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public async Task SendAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] payload;
        try
        {
            payload = Utf8.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("The text is not valid UTF-16 (it holds a lone surrogate).", nameof(text), e);
        }

        if (payload.Length > MaxMessageBytes)
        {
            throw new ArgumentException($"A chat message is at most {MaxMessageBytes} UTF-8 bytes; this one has {payload.Length}.", nameof(text));
        }

        // One write per message, and one writer at a time, so messages never interleave.
        var frame = LengthPrefixed.Frame(payload);
        await sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            sendGate.Release();
        }
    }

    /// <summary>
    /// Leaves the conversation: the other peer's <see cref="Messages"/> completes once it has
    /// read every message we sent. Its messages still reach us until it leaves too.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for earlier messages to be accepted.</param>
    /// <returns>A task that completes once the close was sent after every earlier message.</returns>
    /// <exception cref="StreamResetException">The stream was reset.</exception>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        await sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            sendGate.Release();
        }
    }

    /// <summary>
    /// Closes the stream: our direction ends (as with <see cref="LeaveAsync"/>) and messages not
    /// yet read are dropped. It does not wait for the other peer to leave.
    /// </summary>
    /// <returns>A task that completes when the close was handed to the connection.</returns>
    public ValueTask DisposeAsync() => stream.DisposeAsync();

    private static string Decode(byte[] payload)
    {
        try
        {
            return Utf8.GetString(payload);
        }
        catch (DecoderFallbackException e)
        {
            throw new WireProtocolViolationException("A chat message is not valid UTF-8.", e);
        }
    }
}
