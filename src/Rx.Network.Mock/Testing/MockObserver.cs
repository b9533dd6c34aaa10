using System.Reactive;

namespace Rx.Network.Mock.Testing;

/// <summary>Records each notification with the scheduler's clock at the moment it arrives.</summary>
internal sealed class MockObserver<T>(TestScheduler scheduler) : ITestableObserver<T>
{
    private readonly List<Recorded<Notification<T>>> _messages = [];

    public IList<Recorded<Notification<T>>> Messages => _messages;

    public void OnNext(T value) => Record(Notification.CreateOnNext(value));

    public void OnError(Exception error) => Record(Notification.CreateOnError<T>(error));

    public void OnCompleted() => Record(Notification.CreateOnCompleted<T>());

    private void Record(Notification<T> notification) => _messages.Add(new(scheduler.Clock, notification));
}
