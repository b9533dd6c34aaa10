using Rx.Network.Reactive;

namespace Rx.Network.Mock.Time;

/// <summary>Real time: posted work runs on the thread pool, as in production.</summary>
internal sealed class PoolDispatcher : WorkDispatcher
{
    public static PoolDispatcher Instance { get; } = new();

    /// <inheritdoc/>
    public override void Post(Action action) =>
        ThreadPool.UnsafeQueueUserWorkItem(static a => a(), action, preferLocal: false);
}
