using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rx.Network.Hosting.Tests;

/// <summary>A real generic host (Host.CreateApplicationBuilder) over a temporary content root, with in-memory configuration and a recording logger.</summary>
internal sealed class TestHost : IDisposable
{
    private TestHost(string root)
    {
        ContentRoot = root;
    }

    /// <summary>The host's content root, a temporary folder deleted on dispose.</summary>
    public string ContentRoot { get; }

    /// <summary>What the hosts logged, and the categories they created loggers for.</summary>
    public RecordingLoggerProvider Logs { get; } = new();

    public static TestHost Create() => new(Directory.CreateTempSubdirectory("rxnet-hosting-").FullName);

    /// <summary>A host whose "RxNetwork" section holds <paramref name="settings"/> (keys relative to the section).</summary>
    public IHost Build(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection, IConfiguration>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = ContentRoot });
        builder.Configuration.AddInMemoryCollection(settings.Select(pair => KeyValuePair.Create("RxNetwork:" + pair.Key, pair.Value)));
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs);
        if (services is null)
        {
            builder.Services.AddRxNetwork(builder.Configuration.GetSection("RxNetwork"));
        }
        else
        {
            services(builder.Services, builder.Configuration.GetSection("RxNetwork"));
        }

        return builder.Build();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(ContentRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Records log lines and logger categories.</summary>
    internal sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Categories { get; } = new();

        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName)
        {
            Categories.Enqueue(categoryName);
            return new Recorder(categoryName, Lines);
        }

        public void Dispose()
        {
        }

        private sealed class Recorder(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
        }
    }
}
