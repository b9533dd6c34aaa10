using System.Reactive;
using System.Reactive.Disposables;

namespace Rx.Network.Mock.Testing;

/// <summary>
/// Emits its messages at their absolute ticks to whoever is subscribed at that moment, and logs
/// each subscription's subscribe and unsubscribe ticks.
/// </summary>
internal sealed class HotObservable<T> : ITestableObservable<T>
{
    private readonly TestScheduler _scheduler;
    private readonly List<IObserver<T>> _observers = [];
    private readonly List<Subscription> _subscriptions = [];
    private readonly Recorded<Notification<T>>[] _messages;

    public HotObservable(TestScheduler scheduler, Recorded<Notification<T>>[] messages)
    {
        TestObservableMessages.Validate(messages);
        _scheduler = scheduler;
        _messages = messages;

        // Every message is scheduled up front, as in Rx.NET: the sequence runs even with no
        // subscriber, which is what makes it hot.
        foreach (var message in messages)
        {
            var notification = message.Value;
            scheduler.ScheduleAbsolute(notification, message.Time, (_, n) =>
            {
                // A snapshot, so observers that subscribe or unsubscribe during delivery take
                // effect from the next message on.
                foreach (var observer in _observers.ToArray())
                {
                    n.Accept(observer);
                }

                return Disposable.Empty;
            });
        }
    }

    public IList<Subscription> Subscriptions => _subscriptions;

    public IList<Recorded<Notification<T>>> Messages => _messages;

    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);

        _observers.Add(observer);
        _subscriptions.Add(new Subscription(_scheduler.Clock));
        var index = _subscriptions.Count - 1;

        return Disposable.Create(() =>
        {
            _observers.Remove(observer);
            _subscriptions[index] = new Subscription(_subscriptions[index].Subscribe, _scheduler.Clock);
        });
    }
}
