using System.Collections.Concurrent;
using System.Reactive.Disposables;
using System.Reactive.Subjects;

namespace Rx.Network.Swarm;

/// <summary>
/// The protocols this node serves on inbound streams: a handler per protocol, and observable
/// subscribers per protocol. A protocol is served while it has a handler or a subscriber.
/// </summary>
internal sealed class ProtocolRouter
{
    /// <summary>The longest protocol id accepted (multistream-select messages are at most 1 KiB).</summary>
    public const int MaxProtocolLength = 1000;

    private readonly ConcurrentDictionary<string, Route> routes = new(StringComparer.Ordinal);

    /// <summary>The protocols served right now.</summary>
    public IReadOnlyCollection<string> Protocols => routes.Where(r => r.Value.IsServed).Select(r => r.Key).ToArray();

    /// <summary>Whether <paramref name="protocol"/> is served.</summary>
    public bool Serves(string protocol) => routes.TryGetValue(protocol, out var route) && route.IsServed;

    /// <summary>
    /// The served protocols as a sequence (<see cref="INetwork.LocalProtocols"/>): the current set on
    /// subscription, then the set after each change. Each set is read under the subscription's own
    /// lock, so the last one a subscriber sees is the set after the last change.
    /// </summary>
    public IObservable<IReadOnlyCollection<string>> LocalProtocols =>
        System.Reactive.Linq.Observable.Create<IReadOnlyCollection<string>>(observer =>
        {
            var gate = new object();
            bool stopped = false;
            void Changed()
            {
                lock (gate)
                {
                    if (!stopped)
                    {
                        observer.OnNext(Protocols);
                    }
                }
            }

            lock (gate)
            {
                ProtocolsChanged += Changed;
                observer.OnNext(Protocols);
            }

            return Disposable.Create(() =>
            {
                ProtocolsChanged -= Changed;
                lock (gate)
                {
                    stopped = true;
                }
            });
        });

    /// <summary>Raised when the set of served protocols changes (for identify push).</summary>
    public event Action? ProtocolsChanged;

    public IDisposable SetHandler(string protocol, Func<IStream, Task> handler)
    {
        Validate(protocol);
        ArgumentNullException.ThrowIfNull(handler);
        return SetHandler(protocol, (stream, _) => handler(stream));
    }

    public IDisposable SetHandler(string protocol, Func<IStream, CancellationToken, Task> handler)
    {
        Validate(protocol);
        ArgumentNullException.ThrowIfNull(handler);
        var route = routes.GetOrAdd(protocol, _ => new Route());
        bool wasServed = route.IsServed;
        var registration = new object();
        lock (route)
        {
            route.Handler = handler;
            route.HandlerToken = registration;
        }

        if (!wasServed)
        {
            ProtocolsChanged?.Invoke();
        }

        return new Unregister(() =>
        {
            lock (route)
            {
                if (!ReferenceEquals(route.HandlerToken, registration))
                {
                    return;
                }

                route.Handler = null;
                route.HandlerToken = null;
            }

            if (!route.IsServed)
            {
                ProtocolsChanged?.Invoke();
            }
        });
    }

    public IObservable<IStream> Streams(string protocol)
    {
        Validate(protocol);
        return System.Reactive.Linq.Observable.Create<IStream>(observer =>
        {
            var route = routes.GetOrAdd(protocol, _ => new Route());
            bool wasServed = route.IsServed;
            var subscription = route.Subject.Subscribe(observer);
            Interlocked.Increment(ref route.Subscribers);
            if (!wasServed)
            {
                ProtocolsChanged?.Invoke();
            }

            return new Unregister(() =>
            {
                subscription.Dispose();
                Interlocked.Decrement(ref route.Subscribers);
                if (!route.IsServed)
                {
                    ProtocolsChanged?.Invoke();
                }
            });
        });
    }

    /// <summary>
    /// Hands an inbound stream to its protocol's handler, or else to the observable subscribers.
    /// Returns false when nobody takes it (the caller resets it).
    /// </summary>
    public bool TryDispatch(IStream stream, out Func<IStream, CancellationToken, Task>? handler)
    {
        handler = null;
        if (!routes.TryGetValue(stream.Protocol, out var route))
        {
            return false;
        }

        lock (route)
        {
            handler = route.Handler;
        }

        if (handler is not null)
        {
            return true;
        }

        if (Volatile.Read(ref route.Subscribers) > 0)
        {
            route.Subject.OnNext(stream);
            return true;
        }

        return false;
    }

    /// <summary>Completes every observable subscriber (network shutdown).</summary>
    public void Complete()
    {
        foreach (var route in routes.Values)
        {
            route.Subject.OnCompleted();
        }
    }

    private static void Validate(string protocol)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        if (protocol.Length > MaxProtocolLength || protocol.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A protocol id is at most {MaxProtocolLength} characters and has no newline.", nameof(protocol));
        }
    }

    private sealed class Route
    {
        public Func<IStream, CancellationToken, Task>? Handler;
        public object? HandlerToken;
        public int Subscribers;

        // Streams arrive from many connections at once; Rx subjects need serialized calls.
        public ISubject<IStream> Subject { get; } = System.Reactive.Subjects.Subject.Synchronize(new Subject<IStream>());

        public bool IsServed => Volatile.Read(ref Handler) is not null || Volatile.Read(ref Subscribers) > 0;
    }

    private sealed class Unregister(Action action) : IDisposable
    {
        private Action? action = action;

        public void Dispose() => Interlocked.Exchange(ref action, null)?.Invoke();
    }
}
