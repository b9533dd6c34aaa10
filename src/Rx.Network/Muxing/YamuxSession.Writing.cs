using System.Threading.Tasks.Dataflow;
using Rx.Network.Encoding;
using Rx.Network.Errors;

namespace Rx.Network.Muxing;

internal sealed partial class YamuxSession
{
    /// <summary>
    /// Queues a stream's data or FIN frame and waits until the writer handed it to the
    /// connection. On cancellation the caller decides, with <see cref="PendingWrite.TryCancel"/>,
    /// whether the frame still leaves.
    /// </summary>
    internal async Task SendAsync(PendingWrite write, CancellationToken cancellationToken)
    {
        if (!outbound.TryEnqueueData(write))
        {
            write.Frame.Return();
            throw CurrentStreamError();
        }

        await write.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues a stream's coalesced window update (built when the writer reaches it).</summary>
    internal void QueueWindowUpdate(YamuxStream stream) => outbound.TryEnqueueControl(OutboundItem.ForWindowUpdate(stream));

    /// <summary>Tells the peer we reset a stream.</summary>
    internal void SendReset(YamuxStream stream, uint code)
    {
        var item = OutboundItem.ForFrame(YamuxHeader.WindowUpdate(stream.Id, code, YamuxFlags.Rst));
        if (!outbound.TryEnqueueControl(item))
        {
            item.Frame.Return();
        }
    }

    private async Task RunWriteLoopAsync()
    {
        var output = channel.Output;
        Exception? failure = null;
        try
        {
            while (true)
            {
                if (!outbound.TryDequeue(out var item, out var write))
                {
                    if (!await outbound.WaitAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    continue;
                }

                if (!TryPrepare(item, write, out var frame))
                {
                    continue;
                }

                bool sent;
                try
                {
                    sent = await output.SendAsync(frame).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    failure = e;
                    sent = false;
                }

                if (!sent)
                {
                    frame.Return();
                    failure ??= new IOException("The connection no longer accepts data.");
                    write?.Fail(Error.MuxerClosed("The connection failed.", remote: false, null, failure));
                    break;
                }

                write?.Succeed();
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        if (failure is null)
        {
            // Queue completed by the session's end: everything it held has been sent.
            output.Complete();
            return;
        }

        Terminate(failure, Error.MuxerClosed("The connection failed.", remote: false, null, failure), goAway: null);
        Release(outbound.Drain(), CurrentStreamError());
    }

    /// <summary>Turns a queued item into the frame to send, or drops it (withdrawn, reset, nothing left to say).</summary>
    private bool TryPrepare(in OutboundItem item, PendingWrite? write, out PooledBuffer frame)
    {
        frame = default;
        if (write is not null)
        {
            if (!write.TryClaim())
            {
                write.Frame.Return();
                return false;
            }

            // Data of a stream reset while queued must not follow its RST; a FIN (no credit) is harmless.
            if (write.Credit > 0 && write.Stream.IsWriteReset(out var error))
            {
                write.Frame.Return();
                write.Fail(error!);
                return false;
            }

            frame = write.Frame;
            return true;
        }

        if (item.WindowUpdateFor is { } stream)
        {
            if (!stream.TryTakeWindowUpdate(out var header))
            {
                return false;
            }

            frame = PooledBuffer.Rent(YamuxHeader.Size);
            header.WriteTo(frame.Span);
            return true;
        }

        if (item.Provoked)
        {
            Interlocked.Decrement(ref provokedFrames);
        }

        frame = item.Frame;
        return true;
    }

    private static void Release((OutboundItem[] Control, PendingWrite[] Data) dropped, Exception error)
    {
        foreach (var item in dropped.Control)
        {
            item.Frame.Return();
        }

        foreach (var write in dropped.Data)
        {
            write.Frame.Return();
            if (write.TryClaim())
            {
                write.Fail(error);
            }
        }
    }
}
