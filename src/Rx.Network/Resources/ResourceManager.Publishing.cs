using System.Net;
using Rx.Network.Identity;
using Rx.Network.Reactive;

namespace Rx.Network.Resources;

/// <content>
/// The observable side: <see cref="Scopes"/> refreshed from the scopes that changed, and refusal
/// reports coalesced per scope and resource so an attacker cannot flood the event queue.
/// </content>
internal sealed partial class ResourceManager
{
    /// <summary>The most refusal reports passed on per <see cref="ResourceLimits.RefusalReportInterval"/>, all scopes together.</summary>
    internal const int MaxReportsPerInterval = 64;

    /// <summary>The most (scope, resource) pairs whose refusals are being coalesced at once.</summary>
    internal const int MaxTrackedRefusals = 4096;

    private readonly ObservableCache<string, ResourceScopeStatus> cache = new(status => status.Name, StringComparer.Ordinal);
    private readonly ITimer? timer;
    private readonly Lock reportGate = new();
    private readonly Dictionary<(string Scope, Resource Resource), Pending> pendingReports = [];
    private long lastWindowStart;
    private bool stale;
    private int reportsInWindow;
    private bool disposed;

    /// <inheritdoc/>
    public void Publish() => Refresh(force: true);

    /// <summary>
    /// Brings <see cref="Scopes"/> up to date if anything observes it; otherwise only notes that the
    /// cache is stale, so a node (or a simulation of many) that nobody watches pays nothing per
    /// change. The next read of <see cref="Scopes"/> or a new subscriber refreshes it in full.
    /// </summary>
    public void PublishIfObserved() => Refresh(force: cache.SubscriberCount > 0);

    private void Refresh(bool force)
    {
        List<ResourceScope> changed = [];
        string[] gone = [];
        bool rebuild;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            if (!force)
            {
                // Nobody reads the rows: drop what would update them and rebuild on the next read.
                stale = true;
                retired.Clear();
                return;
            }

            rebuild = stale;
            stale = false;
            if (!rebuild)
            {
                gone = [.. retired.Select(scope => scope.Name)];
            }

            retired.Clear();
            AddIf(changed, SystemScope, rebuild);
            AddIf(changed, TransientScope, rebuild);
            foreach (var scope in SharedScopes())
            {
                AddIf(changed, scope, rebuild);
            }

            foreach (var scope in connections)
            {
                AddIf(changed, scope, rebuild);
            }
        }

        if (rebuild)
        {
            // Rows of scopes retired while the cache was stale: every key no live scope has.
            var live = new HashSet<string>(changed.Select(scope => scope.Name), StringComparer.Ordinal);
            gone = [.. cache.Keys.Where(name => !live.Contains(name))];
        }

        if (gone.Length == 0 && changed.Count == 0)
        {
            return;
        }

        cache.Edit(updater =>
        {
            foreach (var name in gone)
            {
                updater.Remove(name);
            }

            foreach (var scope in changed)
            {
                if (!scope.Retired)
                {
                    updater.AddOrUpdate(new ResourceScopeStatus(scope.Name, scope.Kind, scope.Usage, scope.Limits));
                }
            }
        });
    }

    /// <summary>Stops the refresh timer and completes <see cref="Scopes"/>.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
        }

        timer?.Dispose();
        cache.Dispose();
    }

    private static void AddIf(List<ResourceScope> changed, ResourceScope scope, bool all)
    {
        // A rebuild takes every scope and clears its dirty mark too.
        if (scope.TakeDirty() || all)
        {
            changed.Add(scope);
        }
    }

    private void OnTick()
    {
        try
        {
            PublishIfObserved();
            FlushReports();
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the check and the edit.
        }
    }

    private void Coalesce(ResourceLimitExceededException error, PeerId? peer, IPAddress? address, string? protocol)
    {
        var handler = Refused;
        if (handler is null)
        {
            return;
        }

        ResourceRefusal? report = null;
        long now = time.GetTimestamp();
        var interval = Limits.RefusalReportInterval;
        lock (reportGate)
        {
            OpenWindowLocked(now, interval);
            var key = (error.Scope ?? string.Empty, error.Resource);
            if (!pendingReports.TryGetValue(key, out var entry))
            {
                if (pendingReports.Count >= MaxTrackedRefusals && !PruneLocked(now, interval))
                {
                    // Too many distinct scopes refusing at once: the meter still counts them.
                    return;
                }

                entry = new Pending();
                pendingReports.Add(key, entry);
            }

            entry.Latest = new ResourceRefusal(error, peer, address, protocol, 1);
            entry.Count++;
            if ((!entry.Reported || time.GetElapsedTime(entry.LastReport, now) >= interval) && reportsInWindow < MaxReportsPerInterval)
            {
                report = entry.Latest with { Count = entry.Count };
                entry.Count = 0;
                entry.LastReport = now;
                entry.Reported = true;
                reportsInWindow++;
            }
        }

        if (report is not null)
        {
            handler(report);
        }
    }

    /// <summary>Passes on the refusals that were held back and whose interval has passed.</summary>
    private void FlushReports()
    {
        var handler = Refused;
        if (handler is null)
        {
            return;
        }

        List<ResourceRefusal>? due = null;
        long now = time.GetTimestamp();
        var interval = Limits.RefusalReportInterval;
        lock (reportGate)
        {
            OpenWindowLocked(now, interval);
            foreach (var entry in pendingReports.Values)
            {
                if (entry.Count > 0 && entry.Latest is not null && reportsInWindow < MaxReportsPerInterval
                    && (!entry.Reported || time.GetElapsedTime(entry.LastReport, now) >= interval))
                {
                    (due ??= []).Add(entry.Latest with { Count = entry.Count });
                    entry.Count = 0;
                    entry.LastReport = now;
                    entry.Reported = true;
                    reportsInWindow++;
                }
            }

            PruneLocked(now, interval);
        }

        foreach (var report in due ?? [])
        {
            handler(report);
        }
    }

    private void OpenWindowLocked(long now, TimeSpan interval)
    {
        if (time.GetElapsedTime(lastWindowStart, now) >= interval)
        {
            lastWindowStart = now;
            reportsInWindow = 0;
        }
    }

    /// <summary>Forgets the entries with nothing held back whose interval has passed; returns whether there is room.</summary>
    private bool PruneLocked(long now, TimeSpan interval)
    {
        foreach (var (key, entry) in pendingReports)
        {
            if (entry.Count == 0 && time.GetElapsedTime(entry.LastReport, now) >= interval)
            {
                pendingReports.Remove(key);
            }
        }

        return pendingReports.Count < MaxTrackedRefusals;
    }

    /// <summary>Refusals of one scope and resource not reported yet.</summary>
    private sealed class Pending
    {
        public ResourceRefusal? Latest;
        public int Count;
        public long LastReport;
        public bool Reported;
    }
}
