namespace Rx.Network.Protocols;

/// <summary>
/// An inbound request delivered by <see cref="RequestReplyService.Requests"/>, which a subscriber
/// answers with <see cref="ReplyAsync"/> or refuses with <see cref="Fail"/>.
/// </summary>
/// <remarks>
/// <para>Every subscriber sees every request, so subscribers filter (<c>Where</c>) and exactly one
/// of them answers: the first <see cref="ReplyAsync"/> or <see cref="Fail"/> wins, a later
/// <see cref="ReplyAsync"/> throws <see cref="InvalidOperationException"/> and a later
/// <see cref="Fail"/> returns <see langword="false"/>. A request nobody answers within
/// <see cref="RequestReplyOptions.RequestTimeout"/> is reset (the client sees
/// <see cref="RequestFailedException"/>) and <see cref="Aborted"/> is canceled.</para>
/// <para>The request holds one of the service's handler slots until it is answered, failed, timed
/// out or aborted.</para>
/// </remarks>
public sealed class IncomingRequest : RequestContext
{
    private const int Pending = 0;
    private const int Answering = 1;
    private const int Done = 2;

    private readonly int maxReplySize;
    private readonly TaskCompletionSource answered;
    private int state;

    internal IncomingRequest(IStream stream, ReadOnlyMemory<byte> request, int maxReplySize, TaskCreationOptions continuations, CancellationToken aborted)
        : base(stream, request)
    {
        answered = new TaskCompletionSource(continuations);
        this.maxReplySize = maxReplySize;
        Aborted = aborted;
    }

    /// <summary>
    /// Canceled when the request is abandoned: it timed out, the client reset the stream, or the
    /// service was disposed. A reply is no longer possible then.
    /// </summary>
    public CancellationToken Aborted { get; }

    /// <summary>Whether the request was answered, failed, timed out or aborted (a reply may still be on its way).</summary>
    public bool IsAnswered => Volatile.Read(ref state) != Pending;

    /// <summary>Completes once the request is over, whatever the outcome.</summary>
    internal Task Answered => answered.Task;

    /// <summary>
    /// Sends <paramref name="reply"/> to the client and closes the stream. Exactly one reply per
    /// request: the first call claims the request.
    /// </summary>
    /// <param name="reply">The reply payload (the service adds the length prefix); it may be reused once the task completes.</param>
    /// <param name="cancellationToken">Cancels the write; the stream is then reset.</param>
    /// <returns>A task that completes once the reply was accepted by the connection.</returns>
    /// <exception cref="InvalidOperationException">The request was already answered, failed, timed out or aborted (thrown at once).</exception>
    /// <exception cref="MessageTooLargeException"><paramref name="reply"/> is above <see cref="RequestReplyOptions.MaxReplySize"/> (thrown at once; the request is failed).</exception>
    /// <exception cref="IOException">The stream failed (for example the client reset it) before the reply was accepted.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> or <see cref="Aborted"/> was canceled during the write.</exception>
    public Task ReplyAsync(ReadOnlyMemory<byte> reply, CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref state, Answering, Pending) != Pending)
        {
            throw new InvalidOperationException("The request was already answered, failed, timed out or aborted; each request takes exactly one reply.");
        }

        if (reply.Length > maxReplySize)
        {
            Abort();
            throw new MessageTooLargeException(reply.Length, maxReplySize);
        }

        return ReplyCoreAsync(reply, cancellationToken);
    }

    /// <summary>Refuses the request: the stream is reset and the client sees <see cref="RequestFailedException"/>.</summary>
    /// <returns><see langword="true"/> when this call failed the request; <see langword="false"/> when it was already answered, failed, timed out or aborted.</returns>
    public bool Fail()
    {
        if (!TryAbandon())
        {
            return false;
        }

        Stream.Reset();
        return true;
    }

    /// <summary>Ends a pending request without a reply (the caller resets the stream); false when someone already claimed it.</summary>
    internal bool TryAbandon()
    {
        if (Interlocked.CompareExchange(ref state, Done, Pending) != Pending)
        {
            return false;
        }

        answered.TrySetResult();
        return true;
    }

    private async Task ReplyCoreAsync(ReadOnlyMemory<byte> reply, CancellationToken cancellationToken)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Aborted);
            await RequestReplyService.WriteReplyAsync(Stream, reply, linked.Token).ConfigureAwait(false);
        }
        catch
        {
            Abort();
            throw;
        }

        Volatile.Write(ref state, Done);
        answered.TrySetResult();
    }

    private void Abort()
    {
        Stream.Reset();
        Volatile.Write(ref state, Done);
        answered.TrySetResult();
    }
}
