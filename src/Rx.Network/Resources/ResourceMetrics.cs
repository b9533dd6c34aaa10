using System.Diagnostics.Metrics;

namespace Rx.Network.Resources;

/// <summary>
/// The resource manager's instruments, on the library's one <see cref="Meter"/> (<c>Rx.Network</c>,
/// <see cref="SharedMeter"/>, which the swarm's instruments use too): memory reserved node-wide and
/// refusals by scope kind and resource.
/// </summary>
internal static class ResourceMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = RxNetworkTelemetry.MeterName;

    private static readonly UpDownCounter<long> ReservedMemory;
    private static readonly Counter<long> Refusals;

    static ResourceMetrics()
    {
        SharedMeter = new Meter(MeterName, "1.0");
        ReservedMemory = SharedMeter.CreateUpDownCounter<long>("rxnet.resources.memory", "By", "Memory reserved in system scopes (receive windows and buffers), all networks of the process.");
        Refusals = SharedMeter.CreateCounter<long>("rxnet.resources.refused", "{reservation}", "Reservations a resource limit refused (tags: scope, resource).");
    }

    /// <summary>The process-wide <c>Rx.Network</c> meter.</summary>
    public static Meter SharedMeter { get; }

    public static void MemoryChanged(long delta)
    {
        if (delta != 0)
        {
            ReservedMemory.Add(delta);
        }
    }

    public static void Refused(ScopeKind scope, Resource resource) =>
        Refusals.Add(
            1,
            new KeyValuePair<string, object?>("scope", scope.ToString()),
            new KeyValuePair<string, object?>("resource", resource.ToString()));
}
