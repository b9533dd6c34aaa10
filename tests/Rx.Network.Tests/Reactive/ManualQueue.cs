using Rx.Network.Reactive;

namespace Rx.Network.Tests.Reactive;

/// <summary>A network scheduler whose posted work waits in a queue until the test runs it, as the mock's driver does.</summary>
internal sealed class ManualQueue
{
    private readonly Queue<Action> ready = new();

    public ManualQueue() =>
        Scheduler = new NetworkScheduler(TimeProvider.System, post: action =>
        {
            lock (ready)
            {
                ready.Enqueue(action);
            }
        }, runsInline: true);

    public NetworkScheduler Scheduler { get; }

    public int Count
    {
        get
        {
            lock (ready)
            {
                return ready.Count;
            }
        }
    }

    /// <summary>Runs the queued work, and what it queues, until none is left; returns how many items ran.</summary>
    public int RunAll()
    {
        int ran = 0;
        while (true)
        {
            Action? next;
            lock (ready)
            {
                if (!ready.TryDequeue(out next))
                {
                    return ran;
                }
            }

            next();
            ran++;
        }
    }
}
