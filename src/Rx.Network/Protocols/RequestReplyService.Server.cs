using Rx.Network.Encoding;
using Rx.Network.Reactive;
using Rx.Network.Resources;

namespace Rx.Network.Protocols;

public sealed partial class RequestReplyService
{
    /// <summary>Writes one length-prefixed reply and half-closes, the server's side of the exchange.</summary>
    internal static async Task WriteReplyAsync(IStream stream, ReadOnlyMemory<byte> reply, CancellationToken cancellationToken)
    {
        await LengthPrefixed.WriteAsync(stream.AsStream(), reply, cancellationToken).ConfigureAwait(false);
        await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The network's handler for one inbound stream. Failures that should reach the network's log
    /// (malformed or oversize request, failing handler, timeout) are thrown after the stream is
    /// reset; the network logs them. Ordinary ends (client gone, service disposed, load shed) return.
    /// </summary>
    private async Task ServeAsync(IStream stream)
    {
        if (Interlocked.Increment(ref admitted) > admissionLimit)
        {
            Interlocked.Decrement(ref admitted);
            stream.Reset();
            return;
        }

        bool slotHeld = false;
        bool slotHandedOff = false;
        using var deadline = new RequestDeadline(Options.RequestTimeout, time, disposal.Token, CancellationToken.None);

        // A reset by the client abandons the request at once. Not run synchronously: canceling
        // runs the handler's token callbacks, which must not run on the muxer's thread.
        _ = stream.Completion.ContinueWith(
            static (completion, state) =>
            {
                _ = completion.Exception;
                var (scheduler, deadline) = ((NetworkScheduler, RequestDeadline))state!;
                scheduler.Post(deadline.Cancel);
            },
            (scheduler, deadline),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            scheduler.Tasks);
        try
        {
            await slots.WaitAsync(deadline.Token).ConfigureAwait(false);
            slotHeld = true;
            // The request's buffer is reserved in the stream's scopes before it is allocated (and
            // given back when the stream ends): a peer's declared 4 MiB costs the node's budget,
            // not memory beyond it. Refused, the stream is reset with the resource-limit code.
            var scope = (stream as IResourceScoped)?.Resources;
            var request = await LengthPrefixed.ReadAsync(stream.AsStream(), Options.MaxRequestSize, scope is null ? null : length => ReserveRequest(scope, length), deadline.Token).ConfigureAwait(false)
                ?? throw new WireProtocolViolationException("The stream ended before the request began.");

            Func<RequestContext, CancellationToken, Task<ReadOnlyMemory<byte>>>? current;
            bool observed;
            lock (gate)
            {
                current = handler;
                observed = subscribers > 0;
            }

            if (current is not null)
            {
                var work = InvokeAsync(scheduler, current, new RequestContext(stream, request), deadline.Token);

                // The slot follows the handler's task, not the stream: a handler that ignores its
                // token keeps its slot past the timeout, so no more than the limit ever run. Its
                // failure is observed here too, as nobody awaits it after a timeout.
                slotHandedOff = true;
                _ = work.ContinueWith(
                    static (task, state) =>
                    {
                        _ = task.Exception;
                        ((AsyncGate)state!).Release();
                    },
                    slots,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    scheduler.Tasks);
                var reply = await work.WaitAsync(deadline.Token).ConfigureAwait(false);
                if (reply.Length > Options.MaxReplySize)
                {
                    throw new MessageTooLargeException(reply.Length, Options.MaxReplySize);
                }

                await WriteReplyAsync(stream, reply, deadline.Token).ConfigureAwait(false);
            }
            else if (observed)
            {
                var incoming = new IncomingRequest(stream, request, Options.MaxReplySize, scheduler.AsyncContinuations, deadline.Token);
                try
                {
                    requests.OnNext(incoming);
                }
                catch
                {
                    incoming.Fail();
                    throw;
                }

                try
                {
                    await incoming.Answered.WaitAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Nobody claimed it in time; a reply already on its way fails on the reset below.
                    incoming.TryAbandon();
                    throw;
                }
            }
            else
            {
                // The last handler or subscriber left while the stream was arriving.
                stream.Reset();
            }
        }
        catch (OperationCanceledException e) when (deadline.Token.IsCancellationRequested)
        {
            stream.Reset();
            if (deadline.Expired)
            {
                throw new TimeoutException($"The {Protocol} request from {stream.Connection.RemotePeer} was not answered within {Options.RequestTimeout}; the stream was reset.", e);
            }
        }
        catch (ResourceLimitExceededException) when (stream is IResourceScoped scoped)
        {
            scoped.Reset(ResourceLimitExceededException.StreamResetCode);
            throw;
        }
        catch
        {
            stream.Reset();
            throw;
        }
        finally
        {
            if (slotHeld && !slotHandedOff)
            {
                slots.Release();
            }

            Interlocked.Decrement(ref admitted);
        }
    }

    private static void ReserveRequest(StreamScope scope, int length)
    {
        if (!scope.TryReserveMemory(length, out var refusal))
        {
            throw refusal ?? new ResourceLimitExceededException("The stream ended before its request could be reserved.");
        }
    }

    private static async Task<ReadOnlyMemory<byte>> InvokeAsync(
        NetworkScheduler scheduler,
        Func<RequestContext, CancellationToken, Task<ReadOnlyMemory<byte>>> handler,
        RequestContext context,
        CancellationToken cancellationToken)
    {
        // Run the handler off the stream's task, so one that blocks before its first await delays
        // only itself, and a synchronous throw becomes a faulted task.
        await scheduler.Hop();
        return await handler(context, cancellationToken).ConfigureAwait(false);
    }
}
