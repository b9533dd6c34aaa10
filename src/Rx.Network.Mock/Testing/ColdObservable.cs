using System.Reactive;
using System.Reactive.Disposables;

namespace Rx.Network.Mock.Testing;

/// <summary>
/// Replays its messages to each subscriber at ticks counted from that subscription, and logs each
/// subscription's subscribe and unsubscribe ticks.
/// </summary>
internal sealed class ColdObservable<T> : ITestableObservable<T>
{
    private readonly TestScheduler _scheduler;
    private readonly List<Subscription> _subscriptions = [];
    private readonly Recorded<Notification<T>>[] _messages;

    public ColdObservable(TestScheduler scheduler, Recorded<Notification<T>>[] messages)
    {
        TestObservableMessages.Validate(messages);
        _scheduler = scheduler;
        _messages = messages;
    }

    public IList<Subscription> Subscriptions => _subscriptions;

    public IList<Recorded<Notification<T>>> Messages => _messages;

    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);

        _subscriptions.Add(new Subscription(_scheduler.Clock));
        var index = _subscriptions.Count - 1;

        var pending = new CompositeDisposable(_messages.Length);
        foreach (var message in _messages)
        {
            // Relative scheduling goes through the tick bump, so a message at relative tick 0
            // arrives one tick after subscribing, as in Rx.NET.
            pending.Add(_scheduler.ScheduleRelative(message.Value, message.Time, (_, n) =>
            {
                n.Accept(observer);
                return Disposable.Empty;
            }));
        }

        return Disposable.Create(() =>
        {
            _subscriptions[index] = new Subscription(_subscriptions[index].Subscribe, _scheduler.Clock);
            pending.Dispose();
        });
    }
}
