using Microsoft.Extensions.Time.Testing;

namespace Rx.Network.Tests.Protocols;

/// <summary>A virtual clock that also signals when timers are created, so a test can advance it only once a request's timeout is armed.</summary>
internal sealed class RequestReplyClock : FakeTimeProvider
{
    private readonly Lock gate = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> waiters = [];
    private int created;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (gate)
        {
            created++;
            foreach (var waiter in waiters.Where(w => w.Count <= created).ToList())
            {
                waiter.Signal.TrySetResult();
                waiters.Remove(waiter);
            }
        }

        return timer;
    }

    /// <summary>Completes once at least <paramref name="count"/> timers were created in all.</summary>
    public Task TimersCreated(int count)
    {
        lock (gate)
        {
            if (created >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((count, signal));
            return signal.Task.WaitAsync(RequestReplyNetworks.TestTimeout);
        }
    }
}
