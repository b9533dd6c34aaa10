using System.Threading.Tasks.Dataflow;
using Rx.Network.Muxing;
using Rx.Network.Reactive;
using Rx.Network.Transports;

namespace Rx.Network.Tests.Muxing;

/// <summary>
/// The session's stages take their scheduler from the network (ADR 0011 §1, §3): the demux block,
/// the writer's start and the frame trace's observer block run as work posted to the session's
/// <see cref="NetworkScheduler"/>.
/// </summary>
public sealed class YamuxSchedulerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [ThreadStatic]
    private static bool inPostedWork;

    [Fact]
    public async Task Session_RunsItsStagesAndTheTraceObserver_AsTheNetworksPostedWork()
    {
        int posted = 0;
        var scheduler = new NetworkScheduler(TimeProvider.System, post: action => ThreadPool.UnsafeQueueUserWorkItem(
            _ =>
            {
                Interlocked.Increment(ref posted);
                inPostedWork = true;
                try
                {
                    action();
                }
                finally
                {
                    inPostedWork = false;
                }
            },
            null));
        var options = new YamuxOptions { KeepAliveInterval = null, PingOnStart = false };
        var (a, b) = InMemoryDuplexChannel.CreatePair(64);
        var dialer = new YamuxSession(a, isInitiator: true, options, TimeProvider.System, null, scheduler);
        var listener = new YamuxSession(b, isInitiator: false, options, TimeProvider.System, null, scheduler);

        // The trace's block names the network's task scheduler, as TraceFrames reads it.
        Assert.Same(scheduler.Tasks, ((IRunsOnNetworkTasks)listener.Frames).Tasks);

        // Frames are offered from the stage that handles them: inbound from the demux block,
        // outbound from the writer. Each offer records whether it came from posted work.
        var offers = new OfferRecorder();
        using var offered = listener.Frames.LinkTo(offers);
        int observedOutside = 0;
        int observed = 0;
        var observer = new ActionBlock<TracedFrame>(
            _ =>
            {
                Interlocked.Increment(ref observed);
                if (!inPostedWork)
                {
                    Interlocked.Increment(ref observedOutside);
                }
            },
            new ExecutionDataflowBlockOptions { TaskScheduler = ((IRunsOnNetworkTasks)listener.Frames).Tasks });
        using var link = listener.Frames.LinkTo(observer);

        var opened = await dialer.OpenStreamAsync().WaitAsync(Timeout);
        await opened.WriteAsync(new byte[] { 1, 2, 3 }).AsTask().WaitAsync(Timeout);
        var accepted = await listener.AcceptAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(new byte[] { 1, 2, 3 }, await accepted.ReadExactlyAsync(3).WaitAsync(Timeout));

        // The writer and the demux block ran through the post; so did every call of the observer.
        Assert.True(Volatile.Read(ref posted) > 0, "nothing was posted to the network's scheduler");
        dialer.Abort(new IOException("done"));
        listener.Abort(new IOException("done"));
        observer.Complete();
        await observer.Completion.WaitAsync(Timeout);
        Assert.True(Volatile.Read(ref observed) > 0, "the observer saw no frame");
        Assert.Equal(0, Volatile.Read(ref observedOutside));
        Assert.Contains(offers.Posted, f => f.Direction == Direction.Inbound);

        // Inbound frames only ever from the demux block. (Outbound frames are not asserted: one may
        // come from a stream writer's own thread, as YamuxWriter.Help runs a queued writer start
        // inline, and the listener's ACK may still be queued here.)
        Assert.DoesNotContain(offers.Elsewhere, f => f.Direction == Direction.Inbound);
    }

    /// <summary>Takes every frame, noting whether the offer ran inside work posted to the network's scheduler.</summary>
    private sealed class OfferRecorder : ITargetBlock<TracedFrame>
    {
        private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public System.Collections.Concurrent.ConcurrentQueue<TracedFrame> Posted { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<TracedFrame> Elsewhere { get; } = new();

        public Task Completion => completion.Task;

        public DataflowMessageStatus OfferMessage(DataflowMessageHeader messageHeader, TracedFrame messageValue, ISourceBlock<TracedFrame>? source, bool consumeToAccept)
        {
            (inPostedWork ? Posted : Elsewhere).Enqueue(messageValue);
            return DataflowMessageStatus.Accepted;
        }

        public void Complete() => completion.TrySetResult();

        public void Fault(Exception exception) => completion.TrySetException(exception);
    }
}
