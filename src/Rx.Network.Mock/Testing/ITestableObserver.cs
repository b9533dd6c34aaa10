using System.Reactive;

namespace Rx.Network.Mock.Testing;

/// <summary>An observer that records every notification it receives with the virtual tick it arrived at.</summary>
/// <typeparam name="T">The element type.</typeparam>
public interface ITestableObserver<T> : IObserver<T>
{
    /// <summary>Gets the recorded notifications, in the order they arrived.</summary>
    IList<Recorded<Notification<T>>> Messages { get; }
}
