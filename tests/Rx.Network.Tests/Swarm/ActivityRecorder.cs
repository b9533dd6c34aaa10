using System.Diagnostics;

namespace Rx.Network.Tests.Swarm;

/// <summary>
/// Records the stopped activities of the <c>Rx.Network</c> source. Other tests run in parallel
/// and may trace too, so tests pick their own spans by peer ID, and wait for a span with
/// <see cref="WaitForAsync"/> (a span of the remote side may stop after the local call returned).
/// </summary>
internal sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener listener;
    private readonly List<Activity> stopped = [];
    private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Done)> waiters = [];

    public ActivityRecorder()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RxNetworkTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>The spans stopped so far that <paramref name="match"/> accepts.</summary>
    public IReadOnlyList<Activity> Where(Func<Activity, bool> match)
    {
        lock (stopped)
        {
            return stopped.Where(match).ToList();
        }
    }

    /// <summary>The first span that <paramref name="match"/> accepts, once it has stopped.</summary>
    public Task<Activity> WaitForAsync(Func<Activity, bool> match)
    {
        lock (stopped)
        {
            if (stopped.FirstOrDefault(match) is { } done)
            {
                return Task.FromResult(done);
            }

            var waiter = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((match, waiter));
            return waiter.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public void Dispose() => listener.Dispose();

    private void Record(Activity activity)
    {
        lock (stopped)
        {
            stopped.Add(activity);
            foreach (var waiter in waiters.Where(w => w.Match(activity)).ToList())
            {
                waiters.Remove(waiter);
                waiter.Done.TrySetResult(activity);
            }
        }
    }
}
