using System.Threading.Tasks.Dataflow;
using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

public sealed class NetworkSchedulerTasksTests
{
    [Fact]
    public void Tasks_WithoutAPostQueue_IsTheDefaultScheduler() =>
        Assert.Same(TaskScheduler.Default, new NetworkScheduler(TimeProvider.System).Tasks);

    [Fact]
    public void Tasks_WithAPostQueue_RunsTasksOnlyWhenTheQueueIsDrained_InOrder()
    {
        var queue = new Queue<Action>();
        var scheduler = new NetworkScheduler(TimeProvider.System, post: queue.Enqueue, runsInline: true);
        var ran = new List<int>();

        var first = Task.Factory.StartNew(() => ran.Add(1), CancellationToken.None, TaskCreationOptions.None, scheduler.Tasks);
        var second = first.ContinueWith(_ => ran.Add(2), CancellationToken.None, TaskContinuationOptions.None, scheduler.Tasks);

        Assert.Empty(ran);
        Assert.Single(queue);
        while (queue.TryDequeue(out var work))
        {
            work();
        }

        Assert.Equal([1, 2], ran);
        Assert.True(second.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Tasks_ADataflowBlockOnThePostQueue_ProcessesOnlyWhenDrained()
    {
        var queue = new Queue<Action>();
        var scheduler = new NetworkScheduler(TimeProvider.System, post: queue.Enqueue, runsInline: true);
        var seen = new List<int>();
        var block = new ActionBlock<int>(seen.Add, new ExecutionDataflowBlockOptions { TaskScheduler = scheduler.Tasks, BoundedCapacity = 4 });

        Assert.True(block.Post(1));
        Assert.True(block.Post(2));
        block.Complete();
        Assert.Empty(seen);

        while (queue.TryDequeue(out var work))
        {
            work();
        }

        Assert.Equal([1, 2], seen);

        // Dataflow completes a block's Completion through TaskScheduler.Default (its own rule), so
        // this one signal leaves the queue; the messages above did not.
        await block.Completion.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
