using Microsoft.Extensions.Logging;

namespace Rx.Network.Tests.Protocols;

/// <summary>A logger factory that records the exceptions logged, so a test can await a server-side failure.</summary>
internal sealed class RequestReplyLog : ILoggerFactory, ILogger
{
    private readonly Lock gate = new();
    private readonly List<Exception> errors = [];
    private readonly List<(Func<Exception, bool> Match, TaskCompletionSource<Exception> Signal)> waiters = [];

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (exception is null)
        {
            return;
        }

        lock (gate)
        {
            errors.Add(exception);
            foreach (var waiter in waiters.Where(w => w.Match(exception)).ToList())
            {
                waiter.Signal.TrySetResult(exception);
                waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Completes with the first exception logged (before or after the call) that matches.</summary>
    public Task<Exception> WhenLogged(Func<Exception, bool> match)
    {
        lock (gate)
        {
            var logged = errors.FirstOrDefault(match);
            if (logged is not null)
            {
                return Task.FromResult(logged);
            }

            var signal = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((match, signal));
            return signal.Task.WaitAsync(RequestReplyNetworks.TestTimeout);
        }
    }
}
