using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rx.Network.Addressing;
using Rx.Network.Identity;

namespace Rx.Network.Hosting;

/// <summary>
/// The node of the host: built (identity loaded, services attached, not yet listening) the first
/// time anything asks for it — the <see cref="INetwork"/> registration, or the hosted service
/// when the host starts — and disposed, with the identity key it owns, when the host stops.
/// </summary>
internal sealed class HostedNetwork : IAsyncDisposable
{
    private readonly Lazy<(INetwork Network, PrivateKey Key, IReadOnlyList<Multiaddr> Listen)> node;
    private int disposed;

    public HostedNetwork(IOptions<RxNetworkOptions> options, IServiceProvider services)
    {
        node = new Lazy<(INetwork, PrivateKey, IReadOnlyList<Multiaddr>)>(() => Create(options.Value, services), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The node, built on first use.</summary>
    /// <exception cref="IdentityKeyFileException">The identity key file cannot be used.</exception>
    /// <exception cref="RxNetworkConfigurationException">A setting cannot be used.</exception>
    /// <exception cref="ObjectDisposedException">The host has stopped.</exception>
    public INetwork Network
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            return node.Value.Network;
        }
    }

    /// <summary>The addresses the hosted service listens on at start.</summary>
    public IReadOnlyList<Multiaddr> ListenAddresses => node.Value.Listen;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0 || !node.IsValueCreated)
        {
            return;
        }

        var (network, key, _) = node.Value;
        try
        {
            await network.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            key.Dispose();
        }
    }

    private static (INetwork, PrivateKey, IReadOnlyList<Multiaddr>) Create(RxNetworkOptions options, IServiceProvider services)
    {
        var loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var listen = options.Listen.Select((address, index) =>
        {
            try
            {
                return Multiaddr.Parse(address);
            }
            catch (FormatException e)
            {
                throw new RxNetworkConfigurationException($"Listen:{index}", $"The listen address '{address}' is not a multiaddr: {e.Message}", e);
            }
        }).ToList();

        var key = options.IdentityKeyFile is { } file
            ? IdentityKeyFile.LoadOrCreate(ResolvePath(file, services), loggerFactory.CreateLogger("Rx.Network.Hosting"))
            : PrivateKey.Generate();
        try
        {
            var network = options.Network with { LoggerFactory = loggerFactory };
            if (services.GetService<TimeProvider>() is { } time)
            {
                network = network with { TimeProvider = time };
            }

            var builder = new NetworkBuilder()
                .WithIdentity(key)
                .WithOptions(network)
                .WithYamux(options.Yamux);
            if (options.Tcp is { } tcp)
            {
                builder.WithTcp(tcp);
            }

            if (options.Security.Count > 0)
            {
                builder.WithSecurity([.. options.Security]);
            }

            if (!options.Ping)
            {
                builder.WithoutPing();
            }

            if (!options.Identify)
            {
                builder.WithoutIdentify();
            }
            else if (options.AgentVersion is { } agent)
            {
                builder.WithAgentVersion(agent);
            }

            foreach (var step in options.BuilderActions)
            {
                step(builder, services);
            }

            return (builder.Build(), key, listen);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>A relative key file path is taken from the host's content root, as other host files are.</summary>
    private static string ResolvePath(string file, IServiceProvider services) =>
        Path.IsPathRooted(file) || services.GetService<IHostEnvironment>() is not { ContentRootPath: { Length: > 0 } root }
            ? Path.GetFullPath(file)
            : Path.GetFullPath(Path.Combine(root, file));
}
