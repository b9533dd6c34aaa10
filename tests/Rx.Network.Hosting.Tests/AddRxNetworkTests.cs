using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rx.Network.Peerstore;
using Rx.Network.Protocols;
using Rx.Network.Swarm;

namespace Rx.Network.Hosting.Tests;

public sealed class AddRxNetworkTests
{
    private static readonly Dictionary<string, string?> Loopback = new() { ["Listen:0"] = "/ip4/127.0.0.1/tcp/0" };

    [Fact]
    public async Task AddRxNetwork_FromConfiguration_IsBuiltBeforeAndListensOnceTheHostStarts()
    {
        using var temp = TestHost.Create();
        using var host = temp.Build(Loopback);

        var network = host.Services.GetRequiredService<INetwork>();
        Assert.Empty(network.ListenAddresses);
        Assert.Same(network, host.Services.GetRequiredService<INetwork>());

        await host.StartAsync();
        var address = Assert.Single(network.ListenAddresses);
        Assert.StartsWith("/ip4/127.0.0.1/tcp/", address.ToString(), StringComparison.Ordinal);

        await using var client = await new NetworkBuilder().StartAsync();
        client.Peerstore.AddAddresses(network.LocalPeer, network.ListenAddresses, AddressTtl.Temporary);
        await PingService.PingAsync(client, network.LocalPeer);
        Assert.Equal(Connectedness.Connected, network.Connectedness(client.LocalPeer));

        await host.StopAsync();
        Assert.True(network.Completion.IsCompleted);
        Assert.Throws<ObjectDisposedException>(() => host.Services.GetRequiredService<HostedNetwork>().Network);
    }

    [Fact]
    public async Task AddRxNetwork_OptionsByPropertyName_AreReadWithoutChangingTheDefaults()
    {
        using var temp = TestHost.Create();
        using var host = temp.Build(new Dictionary<string, string?>(Loopback)
        {
            ["Listen:1"] = "/ip6/::1/tcp/0",
            ["Security:0"] = "Noise",
            ["Ping"] = "false",
            ["AgentVersion"] = "hosting-test/1.0",
            ["Limits:MaxPerPeer"] = "2",
            ["limits:maxinbound"] = "7",
            ["Dial:AddressTimeout"] = "00:00:03",
            ["Upgrade:Multistream:MaxRefusals"] = "4",
            ["ShutdownTimeout"] = "00:00:01",
            ["MaxNotConnectedPeerStatuses"] = "16",
            ["Yamux:MaxInboundStreams"] = "64",
            ["Tcp:ListenBacklog"] = "32",
            ["Resources:System:Memory"] = "268435456",
            ["Resources:Ip4Address:PendingConnections"] = "4",
        });

        var options = host.Services.GetRequiredService<IOptions<RxNetworkOptions>>().Value;

        Assert.Equal(["/ip4/127.0.0.1/tcp/0", "/ip6/::1/tcp/0"], options.Listen);
        Assert.Equal([SecurityProtocol.Noise], options.Security);
        Assert.False(options.Ping);
        Assert.Equal("hosting-test/1.0", options.AgentVersion);
        Assert.Equal(2, options.Network.Limits.MaxPerPeer);
        Assert.Equal(7, options.Network.Limits.MaxInbound);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Network.Dial.AddressTimeout);
        Assert.Equal(4, options.Network.Upgrade.Multistream.MaxRefusals);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Network.ShutdownTimeout);
        Assert.Equal(16, options.Network.MaxNotConnectedPeerStatuses);
        Assert.Equal(64, options.Yamux.MaxInboundStreams);
        Assert.Equal(32, options.Tcp!.ListenBacklog);
        Assert.Equal(256L << 20, options.Network.Resources.System.Memory);
        Assert.Equal(4, options.Network.Resources.Ip4Address.PendingConnections);
        Assert.Equal(Resources.ResourceLimits.Default.Peer, options.Network.Resources.Peer);

        // Binding set values on copies: the shared defaults every other network uses are untouched.
        Assert.Equal(8, ConnectionLimits.Default.MaxPerPeer);
        Assert.Equal(8, NetworkOptions.Default.Limits.MaxPerPeer);
        Assert.Equal(TimeSpan.FromSeconds(5), NetworkOptions.Default.ShutdownTimeout);
        Assert.Equal(1024, Muxing.YamuxOptions.Default.MaxInboundStreams);
        Assert.Equal(16, NetworkOptions.Default.Upgrade.Multistream.MaxRefusals);
        Assert.Equal(128L << 20, Resources.ResourceLimits.Default.System.Memory);

        await host.StartAsync();
        var network = host.Services.GetRequiredService<INetwork>();
        Assert.Equal(2, network.ListenAddresses.Count);
        Assert.Equal(256L << 20, network.Resources.Limits.System.Memory);
        Assert.Equal("hosting-test/1.0", IdentifyService.Of(network)!.Options.AgentVersion);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddRxNetwork_ConfigureDelegate_RunsAfterConfigurationAndReachesTheBuilder()
    {
        using var temp = TestHost.Create();
        IServiceProvider? seen = null;
        using var host = temp.Build(Loopback, (services, section) => services.AddRxNetwork(section, options =>
        {
            Assert.Equal("/ip4/127.0.0.1/tcp/0", Assert.Single(options.Listen));
            options.Listen.Add("/ip4/127.0.0.1/tcp/0");
            options.ConfigureBuilder((builder, provider) =>
            {
                seen = provider;
                builder.WithoutIdentify();
            });
        }));

        await host.StartAsync();
        var network = host.Services.GetRequiredService<INetwork>();

        Assert.Equal(2, network.ListenAddresses.Count);
        Assert.Null(IdentifyService.Of(network));
        Assert.NotNull(seen);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddRxNetwork_LogsThroughTheHostsLoggerFactory()
    {
        using var temp = TestHost.Create();
        using var host = temp.Build(Loopback);

        await host.StartAsync();
        var network = host.Services.GetRequiredService<INetwork>();
        await host.StopAsync();

        Assert.Contains("Rx.Network.Swarm", temp.Logs.Categories);
        Assert.Contains(temp.Logs.Lines, line => line.Contains($"Rx.Network node {network.LocalPeer} started", StringComparison.Ordinal));
        Assert.Contains(temp.Logs.Lines, line => line.Contains("Rx.Network node stopped", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Limits:MaxInboud", "7", "RxNetwork:Limits:MaxInboud")]
    [InlineData("Listn:0", "/ip4/127.0.0.1/tcp/0", "RxNetwork:Listn")]
    [InlineData("LoggerFactory", "x", "RxNetwork:LoggerFactory")]
    [InlineData("Limits:MaxInbound", "many", "RxNetwork:Limits:MaxInbound")]
    [InlineData("MaxNotConnectedPeerStatuses", "0", "RxNetwork:MaxNotConnectedPeerStatuses")]
    [InlineData("Yamux:MaxFrameSize", "0", "RxNetwork:Yamux:MaxFrameSize")]
    [InlineData("Security:0", "Tls13", "RxNetwork:Security")]
    [InlineData("Ping", "maybe", "RxNetwork:Ping")]
    public async Task AddRxNetwork_UnusableSetting_FailsTheStartNamingTheKey(string key, string value, string path)
    {
        using var temp = TestHost.Create();
        using var host = temp.Build(new Dictionary<string, string?> { [key] = value });

        var error = await Assert.ThrowsAsync<RxNetworkConfigurationException>(() => host.StartAsync());

        Assert.Equal(path, error.Key);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRxNetwork_ListenAddressThatIsNotAMultiaddr_FailsTheStart()
    {
        using var temp = TestHost.Create();
        using var host = temp.Build(new Dictionary<string, string?> { ["Listen:0"] = "127.0.0.1:4001" });

        var error = await Assert.ThrowsAsync<RxNetworkConfigurationException>(() => host.StartAsync());

        Assert.Equal("Listen:0", error.Key);
    }

    [Fact]
    public void AddRxNetwork_NullArguments_Throw()
    {
        var services = new ServiceCollection();
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();

        Assert.Throws<ArgumentNullException>(() => RxNetworkServiceCollectionExtensions.AddRxNetwork(null!, configuration));
        Assert.Throws<ArgumentNullException>(() => services.AddRxNetwork((Microsoft.Extensions.Configuration.IConfiguration)null!));
        Assert.Throws<ArgumentNullException>(() => services.AddRxNetwork((Action<RxNetworkOptions>)null!));
        Assert.Throws<ArgumentNullException>(() => services.AddRxNetwork(configuration, null!));
        Assert.Throws<ArgumentNullException>(() => new RxNetworkOptions().ConfigureBuilder((Action<NetworkBuilder>)null!));
        Assert.Throws<ArgumentNullException>(() => new RxNetworkOptions().Network = null!);
    }

    [Fact]
    public void AddRxNetwork_Twice_RegistersOneNodeAndOneHostedService()
    {
        var services = new ServiceCollection();
        services.AddRxNetwork(_ => { });
        services.AddRxNetwork(_ => { });

        Assert.Single(services, d => d.ServiceType == typeof(INetwork));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }
}
