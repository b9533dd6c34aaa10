using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rx.Network;
using Rx.Network.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds an Rx.Network node to an application's services: <see cref="INetwork"/> as a singleton
/// and a hosted service that starts it with the host and stops it on shutdown.
/// </summary>
/// <remarks>
/// <para>
/// <b>Lifetime.</b> The node is built the first time <see cref="INetwork"/> is resolved (or when
/// the host starts, whichever is first): its identity is loaded, ping and identify are attached,
/// and it can already take stream handlers and dial, so services may set their handlers in their
/// constructors, before any peer can connect. It listens on <see cref="RxNetworkOptions.Listen"/>
/// once the host starts: when the host's <c>StartAsync</c> has returned (or
/// <c>IHostApplicationLifetime.ApplicationStarted</c> has fired), <see cref="INetwork.ListenAddresses"/>
/// holds the bound addresses. When the host stops, the node shuts down gracefully and is disposed;
/// resolving it after that throws <see cref="ObjectDisposedException"/>.
/// </para>
/// <para>
/// <b>Logging and time.</b> The node logs through the container's <c>ILoggerFactory</c>, and
/// takes its clock from a <see cref="TimeProvider"/> registered in the container, if there is one.
/// </para>
/// <para>
/// <b>Configuration</b> is read once, when the node is built; a later reload does not change a
/// running node. An unknown key or an unusable value fails the host's start with
/// <see cref="RxNetworkConfigurationException"/>, a key file that is not a key with
/// <see cref="IdentityKeyFileException"/>.
/// </para>
/// </remarks>
public static class RxNetworkServiceCollectionExtensions
{
    /// <summary>
    /// Adds the node, configured from <paramref name="configuration"/> — usually
    /// <c>builder.Configuration.GetSection("RxNetwork")</c>. The keys are the properties of
    /// <see cref="RxNetworkOptions"/> (<c>Listen</c>, <c>IdentityKeyFile</c>, <c>Security</c>,
    /// <c>Ping</c>, <c>Identify</c>, <c>AgentVersion</c>, <c>Yamux</c>, <c>Tcp</c>) and those of
    /// <see cref="NetworkOptions"/> (<c>Limits</c>, <c>Dial</c>, <c>Upgrade</c>,
    /// <c>ShutdownTimeout</c>, …), nested options by their property names.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The configuration section of the node.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddRxNetwork(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<RxNetworkOptions>(options => RxNetworkConfiguration.Apply(configuration, options));
        return AddCore(services);
    }

    /// <summary>Adds the node, configured in code.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets the options; <see cref="RxNetworkOptions.ConfigureBuilder(Action{NetworkBuilder, IServiceProvider})"/> reaches the <see cref="NetworkBuilder"/>.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddRxNetwork(this IServiceCollection services, Action<RxNetworkOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return AddCore(services);
    }

    /// <summary>Adds the node, configured from <paramref name="configuration"/>, then by <paramref name="configure"/>.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The configuration section of the node.</param>
    /// <param name="configure">Runs after the configuration has been applied.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddRxNetwork(this IServiceCollection services, IConfiguration configuration, Action<RxNetworkOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        AddRxNetwork(services, configuration);
        services.Configure(configure);
        return services;
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.AddOptions();
        services.TryAddSingleton<HostedNetwork>();
        services.TryAddSingleton<INetwork>(provider => provider.GetRequiredService<HostedNetwork>().Network);
        services.AddHostedService<RxNetworkHostedService>();
        return services;
    }
}
