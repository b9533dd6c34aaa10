using System.Text.Json;
using Rx.Network.Packaging.Tests.Fixture;

namespace Rx.Network.Packaging.Tests;

/// <summary>
/// A program that references the packages by id and version, restored from the packed folder
/// (third-party packages from the usual feeds), builds and runs nodes: two over TCP that ping
/// each other, two on the mock network.
/// </summary>
[Collection(PackagedRepositoryGroup.Name)]
public sealed class ConsumerProjectTests(PackedRepository packed)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(6);

    private const string Program = """
        using System.Reactive.Linq;
        using Rx.Network;
        using Rx.Network.Mock;
        using Rx.Network.Peerstore;
        using Rx.Network.Protocols;

        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        await using var server = await new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync(deadline.Token);
        await using var client = await new NetworkBuilder().StartAsync(deadline.Token);
        client.Peerstore.AddAddresses(server.LocalPeer, server.ListenAddresses, AddressTtl.Temporary);
        var rtt = await PingService.PingAsync(client, server.LocalPeer, cancellationToken: deadline.Token);
        Console.WriteLine($"tcp-ping {server.LocalPeer} {rtt.TotalMilliseconds >= 0}");

        await using var mock = new MockNetwork();
        var (a, b) = (mock.GenPeer(), mock.GenPeer());
        mock.LinkPeers(a, b);
        await PingService.PingAsync(a, b.LocalPeer, cancellationToken: deadline.Token);
        Console.WriteLine($"mock-ping {b.LocalPeer}");

        Console.WriteLine($"System.Reactive {typeof(Observable).Assembly.GetName().Version}");
        """;

    [Fact]
    public async Task Consumer_RestoredFromThePackages_BuildsAndRunsNodes()
    {
        var feed = IsolatedFeed.Create(packed, "consumer");
        File.WriteAllText(Path.Combine(feed.Directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Rx.Network" Version="{packed.Version}" />
                <PackageReference Include="Rx.Network.Mock" Version="{packed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(feed.Directory, "Program.cs"), Program);

        (await DotnetCommand.RunAsync(feed.Directory, CommandTimeout, feed.Environment,
            "build", "-c", "Release", "--configfile", feed.ConfigFile, "--disable-build-servers", "-nologo")).EnsureSuccess();
        var run = (await DotnetCommand.RunAsync(feed.Directory, CommandTimeout, feed.Environment,
            "run", "-c", "Release", "--no-build")).EnsureSuccess();

        Assert.Contains("tcp-ping 12D3KooW", run.Output, StringComparison.Ordinal);
        Assert.Contains(" True", run.Output, StringComparison.Ordinal);
        Assert.Contains("mock-ping 12D3KooW", run.Output, StringComparison.Ordinal);
        // The library's floor is what a consumer that asks for nothing newer gets, and it runs on it.
        Assert.Contains("System.Reactive 6.0.0.0", run.Output, StringComparison.Ordinal);

        // The packages came from the packed folder, not from a cache: the consumer's own global
        // packages folder holds exactly the files that were packed.
        foreach (var id in new[] { "Rx.Network", "Rx.Network.Mock" })
        {
            var restored = Path.Combine(feed.GlobalPackagesFolder, id.ToLowerInvariant(), packed.Version, $"{id.ToLowerInvariant()}.{packed.Version}.nupkg");
            Assert.Equal(File.ReadAllBytes(packed.PackageFile(id)), File.ReadAllBytes(restored));
        }

        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(feed.Directory, "obj", "project.assets.json")));
        var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains($"Rx.Network/{packed.Version}", libraries);
        Assert.Contains("System.Reactive/6.0.1", libraries);
    }
}
