using System.Diagnostics;
using Rx.Network.Tests.Swarm;

namespace Rx.Network.Tests.Reliability;

/// <summary>
/// The reliability tests run alone (no other test opens sockets meanwhile), so the process's file
/// descriptor count and heap are a meaningful baseline.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityGroup
{
    public const string Name = "Reliability";
}

/// <summary>Measures what a listener holds: connections, file descriptors, managed heap.</summary>
internal sealed class ResourceProbe
{
    /// <summary>Heap growth tolerated after forced collection: generous, it catches leaks of whole buffers per connection, not noise.</summary>
    public const long HeapSlack = 64L * 1024 * 1024;

    /// <summary>File descriptors tolerated above the baseline (runtime internals opened lazily, e.g. a second epoll thread).</summary>
    public const int DescriptorSlack = 4;

    private ResourceProbe(int descriptors, long heap)
    {
        Descriptors = descriptors;
        Heap = heap;
    }

    public int Descriptors { get; }

    public long Heap { get; }

    /// <summary>Open file descriptors of this process, or -1 where /proc is not available.</summary>
    public static int CountDescriptors() =>
        Directory.Exists("/proc/self/fd") ? Directory.GetFileSystemEntries("/proc/self/fd").Length : -1;

    public static long CollectedHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public static ResourceProbe Capture() => new(CountDescriptors(), CollectedHeap());

    /// <summary>
    /// Waits (a bounded, awaited poll) until <paramref name="network"/> holds no connection and the
    /// descriptor count is back near the baseline; then checks the heap after forced collection.
    /// </summary>
    public async Task AssertBackToBaselineAsync(INetwork network, TimeSpan? bound = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = bound ?? SwarmKit.Wait;
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        int descriptors;
        while (true)
        {
            descriptors = CountDescriptors();
            if (network.Connections.Count == 0 && descriptors <= Descriptors + DescriptorSlack && network.Resources.SystemUsage.IsZero)
            {
                break;
            }

            if (deadline.Elapsed > limit)
            {
                Assert.Fail($"Not back to baseline after {limit}: {network.Connections.Count} connections, {descriptors} descriptors (baseline {Descriptors}), resources in use {network.Resources.SystemUsage}.");
            }

            await poll.WaitForNextTickAsync();
        }

        long heap = CollectedHeap();
        Assert.True(heap <= Heap + HeapSlack, $"Heap {heap / 1024} KiB after collection; baseline {Heap / 1024} KiB.");
    }
}
