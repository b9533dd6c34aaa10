using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Rx.Network.Benchmarks.Probe;

/// <summary>
/// Listens to the runtime's GC allocation ticks (one event per ~100 KB allocated, naming the type
/// that crossed the threshold) and tallies them: a statistical picture of what allocates. Also
/// counts <c>ArrayPool</c> misses (a rent the pool could not serve, so a new array was allocated)
/// and drops (a return the full pool threw away), by array size.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int AllocationTickEventId = 10;
    private const string ArrayPoolSource = "System.Buffers.ArrayPoolEventSource";
    private const int BufferAllocatedEventId = 2;
    private const int BufferDroppedEventId = 5;

    private readonly ConcurrentDictionary<string, long> bytesByType = new();
    private readonly ConcurrentDictionary<(bool Allocated, int Size, int Reason), long> poolEvents = new();

    // Formatting rents from ArrayPool<char>, which raises pool events: never re-enter.
    [ThreadStatic]
    private static bool inPoolEvent;

    // What this listener allocates itself to receive each event: left out of the report.
    private static readonly HashSet<string> OwnTypes =
    [
        "System.Diagnostics.Tracing.EventWrittenEventArgs",
        "System.Collections.ObjectModel.ReadOnlyCollection`1[System.Object]",
        "System.Object[]",
        "System.Int32",
        "System.UInt32",
        "System.Int64",
        "MoreEventInfo",
        "<>c__DisplayClass11_0",
        "<>c__DisplayClass12_0",
    ];

    public void Print(TextWriter writer)
    {
        var sampled = bytesByType.Where(p => !OwnTypes.Contains(p.Key)).ToList();
        long total = sampled.Sum(p => p.Value);
        writer.WriteLine("    sampled allocations by type (the sampler's own event objects left out):");
        foreach (var (type, amount) in sampled.OrderByDescending(p => p.Value).Take(12))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {amount * 100.0 / total,5:N1}%  {type}"));
        }

        inPoolEvent = true;
        foreach (var ((allocated, size, reason), count) in poolEvents.OrderBy(p => p.Key))
        {
            // Reasons (BufferAllocatedReason): 0 pooled, 1 over the pool's maximum size, 2 pool exhausted.
            var what = allocated ? $"allocated {size} B (reason {reason})" : $"dropped {size} B";
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    ArrayPool {what}: {count:N0}"));
        }

        inPoolEvent = false;
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
        else if (eventSource.Name == ArrayPoolSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventSource.Name == ArrayPoolSource)
        {
            OnPoolEvent(eventData);
            return;
        }

        if (eventData.EventId != AllocationTickEventId || eventData.PayloadNames is null)
        {
            return;
        }

        string type = "?";
        long amount = 0;
        for (int i = 0; i < eventData.PayloadNames.Count; i++)
        {
            switch (eventData.PayloadNames[i])
            {
                case "TypeName":
                    type = eventData.Payload![i] as string ?? "?";
                    break;
                case "AllocationAmount64":
                    amount = Convert.ToInt64(eventData.Payload![i], CultureInfo.InvariantCulture);
                    break;
            }
        }

        bytesByType.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }

    private void OnPoolEvent(EventWrittenEventArgs eventData)
    {
        if (inPoolEvent || eventData.EventId is not (BufferAllocatedEventId or BufferDroppedEventId) || eventData.PayloadNames is null)
        {
            return;
        }

        int size = 0;
        int reason = -1;
        for (int i = 0; i < eventData.PayloadNames.Count; i++)
        {
            switch (eventData.PayloadNames[i])
            {
                case "bufferSize":
                    size = Convert.ToInt32(eventData.Payload![i], CultureInfo.InvariantCulture);
                    break;
                case "reason":
                    reason = Convert.ToInt32(eventData.Payload![i], CultureInfo.InvariantCulture);
                    break;
            }
        }

        inPoolEvent = true;
        poolEvents.AddOrUpdate((eventData.EventId == BufferAllocatedEventId, size, reason), 1, (_, n) => n + 1);
        inPoolEvent = false;
    }
}
