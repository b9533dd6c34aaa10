using Rx.Network.Encoding;
using Rx.Network.Identity;

namespace Rx.Network.Protocols;

public sealed partial class RequestReplyService
{
    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="peer"/> (dialing if needed) on a new
    /// stream of <see cref="Protocol"/> and returns the reply. Works whether or not this node
    /// serves the protocol itself.
    /// </summary>
    /// <param name="peer">The peer.</param>
    /// <param name="request">The request payload (the service adds the length prefix).</param>
    /// <param name="cancellationToken">Cancels the request; the stream is then reset.</param>
    /// <returns>The reply payload, at most <see cref="RequestReplyOptions.MaxReplySize"/> bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The service was disposed.</exception>
    /// <exception cref="MessageTooLargeException"><paramref name="request"/> is above <see cref="RequestReplyOptions.MaxRequestSize"/> (thrown before anything is sent), or the reply declared a length above <see cref="RequestReplyOptions.MaxReplySize"/>.</exception>
    /// <exception cref="WireProtocolViolationException">The reply is malformed (a bad length prefix, or the stream ended inside it).</exception>
    /// <exception cref="DialException">The peer could not be reached.</exception>
    /// <exception cref="NegotiationException">The peer does not serve <see cref="Protocol"/>.</exception>
    /// <exception cref="RequestFailedException">The server reset the stream (its handler failed or refused, it timed out or was overloaded, the request was above its limit), closed it without a reply, or the stream failed during the exchange.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="RequestReplyOptions.RequestTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled, or the service was disposed meanwhile.</exception>
    public Task<ReadOnlyMemory<byte>> RequestAsync(PeerId peer, ReadOnlyMemory<byte> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed), this);
        if (request.Length > Options.MaxRequestSize)
        {
            throw new MessageTooLargeException(request.Length, Options.MaxRequestSize);
        }

        return RequestTracedAsync(peer, request, cancellationToken);
    }

    /// <summary>
    /// Sends a typed request: <paramref name="serialize"/> turns it into bytes, and
    /// <paramref name="deserialize"/> turns the reply back.
    /// </summary>
    /// <typeparam name="TRequest">The request type.</typeparam>
    /// <typeparam name="TReply">The reply type.</typeparam>
    /// <param name="peer">The peer.</param>
    /// <param name="request">The request.</param>
    /// <param name="serialize">Encodes the request.</param>
    /// <param name="deserialize">Decodes the reply; what it throws (for malformed bytes, a <see cref="FormatException"/>) reaches the caller.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The decoded reply.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/>, <paramref name="serialize"/> or <paramref name="deserialize"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The service was disposed.</exception>
    /// <exception cref="MessageTooLargeException">The encoded request or the reply is above its limit.</exception>
    /// <exception cref="WireProtocolViolationException">The reply is malformed.</exception>
    /// <exception cref="DialException">The peer could not be reached.</exception>
    /// <exception cref="NegotiationException">The peer does not serve <see cref="Protocol"/>.</exception>
    /// <exception cref="RequestFailedException">The server failed or refused the request.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="RequestReplyOptions.RequestTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task<TReply> RequestAsync<TRequest, TReply>(
        PeerId peer,
        TRequest request,
        Func<TRequest, ReadOnlyMemory<byte>> serialize,
        Func<ReadOnlyMemory<byte>, TReply> deserialize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(serialize);
        ArgumentNullException.ThrowIfNull(deserialize);
        var reply = RequestAsync(peer, serialize(request), cancellationToken);
        return DecodeAsync(reply, deserialize);

        static async Task<TReply> DecodeAsync(Task<ReadOnlyMemory<byte>> reply, Func<ReadOnlyMemory<byte>, TReply> deserialize) =>
            deserialize(await reply.ConfigureAwait(false));
    }

    private async Task<ReadOnlyMemory<byte>> RequestCoreAsync(PeerId peer, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        using var deadline = new RequestDeadline(Options.RequestTimeout, time, cancellationToken, disposal.Token);
        IStream? stream = null;
        bool replied = false;
        try
        {
            stream = await network.NewStreamAsync(peer, [Protocol], deadline.Token).ConfigureAwait(false);
            var channel = stream.AsStream();
            await LengthPrefixed.WriteAsync(channel, request, deadline.Token).ConfigureAwait(false);
            await stream.CloseWriteAsync(deadline.Token).ConfigureAwait(false);
            var reply = await LengthPrefixed.ReadAsync(channel, Options.MaxReplySize, deadline.Token).ConfigureAwait(false)
                ?? throw new RequestFailedException(Protocol, peer, $"{peer} closed the {Protocol} stream without a reply.");
            replied = true;
            return reply;
        }
        catch (OperationCanceledException e) when (deadline.Expired && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The {Protocol} request to {peer} got no reply within {Options.RequestTimeout}.", e);
        }
        catch (StreamResetException e)
        {
            // Also while negotiating: a server that sheds load resets the stream as it arrives,
            // and the reset may overtake its protocol confirmation.
            string who = e.Remote ? $"{peer} reset" : "the connection reset";
            throw new RequestFailedException(Protocol, peer, $"The {Protocol} request failed: {who} the stream (the server failed, refused or dropped the request).", e);
        }
        catch (IOException e) when (stream is not null && e is not RequestFailedException)
        {
            throw new RequestFailedException(Protocol, peer, $"The {Protocol} request to {peer} failed: {e.Message}", e);
        }
        finally
        {
            if (stream is not null)
            {
                if (!replied)
                {
                    stream.Reset();
                }

                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
